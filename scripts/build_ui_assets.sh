#!/usr/bin/env bash
# Vendor the web UI's third-party assets into wirewatch/ui/static/vendor/ (run once; the result is committed).
#   Leaflet 1.9.4 (BSD-2-Clause), swagger-ui-dist (Apache-2.0),
#   Natural Earth 110m + 50m country outlines from world-atlas (ISC; data public domain) as GeoJSON,
#   and the map's place labels (countries, admin1, cities) compiled from the shipped GeoNames gazetteer.
# Usage: scripts/build_ui_assets.sh        (needs node + npm; nothing is fetched at run time)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/wirewatch/ui/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent \
  leaflet@1.9.4 swagger-ui-dist@5.35.0 world-atlas@2.0.2 topojson-client@3.1.0

rm -rf "$VENDOR"
mkdir -p "$VENDOR/leaflet/images" "$VENDOR/swagger-ui" "$VENDOR/world"

# Leaflet
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$VENDOR/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$VENDOR/leaflet/images/"
cp node_modules/leaflet/LICENSE "$VENDOR/leaflet/LICENSE"

# Swagger UI (for /docs without a CDN)
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$VENDOR/swagger-ui/"
cp node_modules/swagger-ui-dist/LICENSE "$VENDOR/swagger-ui/LICENSE"

# World basemap: TopoJSON -> GeoJSON (countries, 110m for the world view, 50m once zoomed in),
# coordinates rounded to 0.01 degree (repeated points dropped). Rings that
# cross the antimeridian (Russia, Fiji) are unwrapped (longitudes continue past 180) so Leaflet draws no
# line across the whole map; Antarctica (id 010) is left out.
cat > conv.js <<'JS'
const topo = require("topojson-client");
const t = require("world-atlas/" + process.argv[2]);
const fc = topo.feature(t, t.objects.countries);
const rnd = (x) => Math.round(x * 100) / 100;
const ring = (pts) => {
  let shift = 0;
  const out = [];
  pts.forEach((p, i) => {
    if (i > 0) {
      const d = p[0] - pts[i - 1][0];
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    const q = [rnd(p[0] + shift), rnd(p[1])];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  });
  return out;
};
const geom = (g) => g.type === "Polygon" ? g.coordinates.map(ring) : g.coordinates.map((poly) => poly.map(ring));
fc.features = fc.features.filter((f) => f.id !== "010" && f.geometry);
for (const f of fc.features) { f.geometry.coordinates = geom(f.geometry); }
process.stdout.write(JSON.stringify(fc));
JS
node conv.js countries-110m.json > "$VENDOR/world/countries-110m.geojson"
node conv.js countries-50m.json > "$VENDOR/world/countries-50m.geojson"
cp node_modules/world-atlas/LICENSE "$VENDOR/world/LICENSE-world-atlas"
cat > "$VENDOR/world/README.md" <<'TXT'
countries-110m.geojson, countries-50m.geojson: Natural Earth 1:110m and 1:50m admin-0 countries (public domain, naturalearthdata.com),
via the npm package world-atlas@2.0.2 (ISC, Mike Bostock), converted from TopoJSON with
topojson-client@3.1.0 by scripts/build_ui_assets.sh.
TXT
cat > "$VENDOR/README.md" <<'TXT'
Third-party assets of the wirewatch web page, vendored so the page and /docs work offline (no CDN).
Rebuild with `scripts/build_ui_assets.sh` (needs node + npm at development time only).

| dir | package | license |
|---|---|---|
| leaflet/ | leaflet@1.9.4 (dist: leaflet.js, leaflet.css, images) | BSD-2-Clause, leaflet/LICENSE |
| swagger-ui/ | swagger-ui-dist@5.35.0 (bundle + css) for /docs | Apache-2.0, swagger-ui/LICENSE |
| world/ | Natural Earth 110m + 50m countries via world-atlas@2.0.2, as GeoJSON (topojson-client@3.1.0) | data: public domain; world-atlas: ISC, world/LICENSE-world-atlas |
| labels/ | country, admin1 and city label points from wirewatch/data/geo (scripts/build_ui_labels.py) | GeoNames, CC BY 4.0 |
TXT

# Map labels from the shipped gazetteer (no network)
PY="${PYTHON:-python3}"
[ -x "$ROOT/.venv/bin/python" ] && PY="$ROOT/.venv/bin/python"
"$PY" "$ROOT/scripts/build_ui_labels.py"
ls -la "$VENDOR"/*
