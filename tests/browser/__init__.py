"""Real parts for the browser and hosting tests: nginx on loopback, Chromium through Node."""
