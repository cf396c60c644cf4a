"""The communes' own links: issued in the notify and reminder e-mails, opened by the web app."""
