"""The web app: the coordinator's dashboard and each commune's own page."""
