"""Pure analysis: arrays and open rasters in, frozen results out. No Django imports here."""
