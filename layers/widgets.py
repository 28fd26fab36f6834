"""A map widget for geometry fields that works without internet: OpenLayers served from this
application and the county's own basemap image instead of online tiles."""
import json

from django.contrib.gis.forms import OpenLayersWidget

from .basemap import basemap_layer, basemap_url
from .models import County


class OfflineMapWidget(OpenLayersWidget):
    template_name = "layers/offline_map_widget.html"

    class Media:
        extend = False  # drop the parent's CDN scripts
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        county = County.objects.default()
        basemap = basemap_layer(county) if county else None
        if basemap:
            context["basemap_url"] = basemap_url(basemap)
            context["basemap_extent"] = json.dumps(basemap.footprint.transform(3857, clone=True).extent)
        if county:
            center = county.boundary.centroid.transform(4326, clone=True)
            context["default_lon"], context["default_lat"] = center.x, center.y
        return context
