"""The jobs page: the signed-in user's background imports and analyses with their progress."""
from django.shortcuts import render

from .api import RECENT
from .models import Job

# While a job is queued or running the page reloads itself this often.
REFRESH_SECONDS = 5


def jobs_page(request):
    jobs = list(Job.objects.visible_to(request.user).select_related("user")[:RECENT])
    busy = any(job.status in (Job.Status.QUEUED, Job.Status.RUNNING) for job in jobs)
    return render(request, "jobs/jobs.html", {"jobs": jobs,
                                              "refresh": REFRESH_SECONDS if busy else None})
