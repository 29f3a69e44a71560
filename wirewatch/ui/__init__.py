"""The static web page (HTML, JS, CSS and vendored Leaflet/basemap) served by ``wirewatch serve``."""
