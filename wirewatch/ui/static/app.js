// wirewatch page: filters, map, timeline, table and event panel over the JSON API.
"use strict";

(function (WW) {
  const el = WW.el;
  const PAGE = 50;
  const MAP_LIMIT = 2000;
  const $ = (id) => document.getElementById(id);

  const state = {
    types: new Set(), modality: "", country: "", actor: "", text: "", min_confidence: 0,
    date_from: "", date_to: "", bboxOn: false, offset: 0, selected: null, order: "-date",
    count: "incidents", incident: null,
  };
  let map = null;
  let markers = null;
  let features = [];
  let timeline = null;
  let meta = null;
  let fitted = false;
  let fitKey = null; // the filters the map was last fitted to
  let seq = 0;
  let selectedArticle = null; // the article of the selected event
  let hasIncidents = false; // the server links reports into incidents (count=incidents works)

  // ---- filters <-> query params <-> URL hash ------------------------------------------------
  function params(opts) {
    const p = {};
    if (state.types.size) p.type = Array.from(state.types).join(",");
    if (state.modality) p.modality = state.modality;
    if (state.country) p.country = state.country;
    if (state.actor) p.actor = state.actor;
    if (state.text) p.text = state.text;
    if (state.min_confidence > 0) p.min_confidence = String(state.min_confidence);
    if (!(opts && opts.noDates)) {
      if (state.date_from) p.date_from = state.date_from;
      if (state.date_to) p.date_to = state.date_to;
    }
    if (state.bboxOn && map) {
      const b = map.getBounds();
      const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
      p.bbox = [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
        .map((v) => v.toFixed(4)).join(",");
    }
    return p;
  }

  function saveHash() {
    const p = params();
    delete p.bbox;
    if (state.selected) p.event = state.selected;
    if (state.incident) p.incident = state.incident;
    if (state.order !== "-date") p.order = state.order;
    if (state.count !== "incidents") p.count = state.count;
    const h = new URLSearchParams(p).toString();
    history.replaceState(null, "", h ? "#" + h : location.pathname);
  }

  function loadHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.types = new Set((p.get("type") || "").split(",").filter(Boolean));
    state.modality = p.get("modality") || "";
    state.country = p.get("country") || "";
    state.actor = p.get("actor") || "";
    state.text = p.get("text") || "";
    state.min_confidence = parseFloat(p.get("min_confidence") || "0") || 0;
    state.date_from = p.get("date_from") || "";
    state.date_to = p.get("date_to") || "";
    state.selected = p.get("event") || null;
    state.incident = p.get("incident") || null;
    state.count = p.get("count") === "events" ? "events" : "incidents";
    state.order = /^-?(date|confidence)$/.test(p.get("order") || "") ? p.get("order") : "-date";
  }

  function syncForm() {
    // never rewrite the field the user is typing in (it would eat trailing spaces and move the caret)
    const put = (id, value) => { if (document.activeElement !== $(id)) $(id).value = value; };
    $("f-modality").value = state.modality;
    put("f-country", state.country);
    put("f-actor", state.actor);
    put("f-text", state.text);
    put("f-conf", String(state.min_confidence));
    $("f-conf-out").textContent = state.min_confidence.toFixed(2);
    $("f-bbox").checked = state.bboxOn;
    document.querySelectorAll("#f-count input").forEach((r) => { r.checked = r.value === countMode(); });
    document.querySelectorAll("#legend input[data-type]").forEach((box) => {
      box.checked = state.types.size === 0 || state.types.has(box.dataset.type);
    });
    const dates = $("f-dates");
    WW.clear(dates);
    if (state.date_from || state.date_to) {
      dates.appendChild(document.createTextNode((state.date_from || "…") + " → " + (state.date_to || "…")));
    }
    $("t-clear").hidden = !(state.date_from || state.date_to);
    const nTypes = state.types.size;
    $("legend-toggle").textContent = ($("legend").hidden ? "▸ " : "▾ ") + "legend"
      + (nTypes ? " · " + nTypes + " type" + (nTypes === 1 ? "" : "s") : "");
  }

  // What the map, timeline and top actors count: incidents (when the server has them) or events.
  function countMode() {
    return hasIncidents && state.count === "incidents" ? "incidents" : "events";
  }

  function showError(msg) {
    const box = $("error");
    box.textContent = msg || "";
    box.hidden = !msg;
  }

  // ---- map -----------------------------------------------------------------------------------
  function initMap() {
    map = L.map("map", { worldCopyJump: true, minZoom: 1, maxZoom: 12, zoomSnap: 0.5, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth");
    map.attributionControl.addAttribution("GeoNames");
    map.setView([30, 20], 2);
    new WW.Basemap(map);
    WW.addLabels(map);
    map.createPane("areas").style.zIndex = 390; // country/region rings under the city dots
    markers = L.layerGroup().addTo(map);
    WW.map = map; // for tests and the console
    map.on("zoomend", drawMarkers);
    map.on("moveend", () => { if (state.bboxOn) refresh(true); });
  }

  // Events at the same coordinates are spread on a small pixel spiral so each stays clickable.
  // Exact places are dots; admin2/admin1/country locations are pale rings sized by how vague they are.
  function drawMarkers() {
    markers.clearLayers();
    const seen = new Map();
    const radius = features.length > 500 ? 4 : 6;
    const spacing = radius + 1;
    const ordered = features.slice().sort((a, b) => areaRadius(b) - areaRadius(a)); // big rings first
    for (const f of ordered) {
      const [lon, lat] = f.geometry.coordinates;
      // areas (country/region rings) stay on their centroid, stacked: spreading them would fake precision
      const isArea = areaRadius(f) > 0;
      const key = lat.toFixed(4) + "," + lon.toFixed(4);
      const i = isArea ? 0 : seen.get(key) || 0;
      if (!isArea) seen.set(key, i + 1);
      const areaKey = "area:" + key + ":" + areaRadius(f);
      const stacked = isArea && seen.has(areaKey); // only the first ring on a centroid is shaded
      if (isArea) seen.set(areaKey, 1);
      let ll = L.latLng(lat, lon);
      if (i > 0) {
        const angle = i * 2.39996;
        const r = spacing * Math.sqrt(Math.min(i, 120)); // past 120 events the outer ring is reused
        const pt = map.latLngToLayerPoint(ll).add(L.point(r * Math.cos(angle), r * Math.sin(angle)));
        ll = map.layerPointToLatLng(pt);
      }
      const p = f.properties;
      const style = WW.MODALITY_STYLE[p.modality] || WW.MODALITY_STYLE.asserted;
      const selected = p.id === state.selected || (p.event_ids || []).includes(state.selected);
      const res = WW.resolutionKind(p.resolution);
      const kind = "ev-marker ev-" + (p.modality || "unknown") + " ev-" + res.kind
        + " ev-res-" + (p.resolution || "unknown");
      const m = res.kind === "area"
        ? L.circleMarker(ll, {
          pane: "areas", radius: res.radius + (selected ? 3 : 0), color: selected ? "#111" : WW.typeColor(p.event_type),
          fillColor: WW.typeColor(p.event_type), fillOpacity: stacked ? 0 : Math.min(0.18, style.fillOpacity),
          weight: selected ? 3 : Math.max(1.5, style.weight), dashArray: style.dashArray || "2 3", className: kind,
        })
        : L.circleMarker(ll, {
          radius: selected ? 9 : radius, color: selected ? "#111" : WW.typeColor(p.event_type),
          fillColor: WW.typeColor(p.event_type), fillOpacity: style.fillOpacity, weight: selected ? 3 : style.weight,
          dashArray: style.dashArray, className: kind,
        });
      m.bindTooltip(tooltip(p), { direction: "top" });
      m.on("click", () => select(p.id));
      m.addTo(markers);
      const path = m.getElement && m.getElement();
      if (path) {
        path.setAttribute("data-event-id", p.id);
        path.setAttribute("data-resolution", p.resolution || "");
        if (p.incident) path.setAttribute("data-incident", p.incident);
      }
    }
  }

  function areaRadius(f) {
    const res = WW.resolutionKind(f.properties.resolution);
    return res.kind === "area" ? res.radius : 0;
  }

  function tooltip(p) {
    return el("div", { class: "tip" },
      el("strong", {}, p.event_type), " ", WW.badge(p.modality), el("br"),
      (p.source || []).join(" + ") || "?", " → ", (p.target || []).join(" + ") || "?", el("br"),
      p.place || "", p.resolution && p.resolution !== "city" ? " (" + p.resolution + ")" : "",
      p.date ? " · " + p.date : "",
      p.n_reports ? el("div", { class: "muted" }, p.n_reports + " report" + (p.n_reports === 1 ? "" : "s")
        + " · " + p.n_outlets + " outlet" + (p.n_outlets === 1 ? "" : "s")) : null);
  }

  // Fit the map to the located results once per set of filters (never while "only map view" is on:
  // the view is the filter then). Dates and paging do not refit.
  function fitToMarkers() {
    const p = params({ noDates: true });
    const key = JSON.stringify(p);
    if (state.bboxOn || (fitted && key === fitKey) || !features.length) return;
    const b = L.latLngBounds(features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
    map.fitBounds(b.pad(0.3), { maxZoom: 6, animate: false });
    fitted = true;
    fitKey = key;
    map.getContainer().dataset.fitted = key;
  }

  // ---- legend (doubles as the type filter) ---------------------------------------------------
  function buildLegend() {
    const box = $("legend");
    WW.clear(box);
    box.appendChild(el("div", { class: "legend-title" }, "Event type"));
    const types = el("div", { class: "legend-types" });
    box.appendChild(types);
    for (const type of meta.event_types) {
      const input = el("input", { type: "checkbox", "data-type": type });
      input.addEventListener("change", () => {
        const all = Array.from(document.querySelectorAll("#legend input[data-type]"));
        const on = all.filter((b) => b.checked).map((b) => b.dataset.type);
        state.types = on.length === all.length ? new Set() : new Set(on);
        refresh();
      });
      const sw = el("span", { class: "swatch" });
      sw.style.backgroundColor = WW.typeColor(type);
      const item = el("label", { class: "legend-item", title: "click: show/hide · double-click: only this type" },
        input, sw, type);
      item.addEventListener("dblclick", (e) => {
        e.preventDefault();
        state.types = new Set([type]);
        refresh();
      });
      types.appendChild(item);
    }
    box.appendChild(el("div", { class: "legend-title" }, "Modality"));
    const mods = el("div", { class: "legend-types" });
    box.appendChild(mods);
    for (const [mod, st] of Object.entries(WW.MODALITY_STYLE)) {
      const icon = WW.svg("svg", { width: 14, height: 14, class: "mod-icon" },
        WW.svg("circle", {
          cx: 7, cy: 7, r: 5, stroke: "#444", "stroke-width": st.weight, fill: "#444",
          "fill-opacity": st.fillOpacity, "stroke-dasharray": st.dashArray || "none",
        }));
      mods.appendChild(el("div", { class: "legend-item" }, icon, mod));
    }
    box.appendChild(el("div", { class: "legend-title" }, "Place precision"));
    const precision = el("div", { class: "legend-precision" });
    box.appendChild(precision);
    const shown = new Set();
    for (const [res, st] of Object.entries(WW.RESOLUTION_STYLE)) {
      if (shown.has(st.label)) continue;
      shown.add(st.label);
      const r = st.kind === "area" ? Math.min(8, 3 + st.radius / 4) : 4;
      const icon = WW.svg("svg", { width: 20, height: 20, class: "res-icon" },
        WW.svg("circle", {
          cx: 10, cy: 10, r: r, stroke: "#444", "stroke-width": st.kind === "area" ? 1.5 : 1,
          fill: "#444", "fill-opacity": st.kind === "area" ? 0.18 : 0.8,
          "stroke-dasharray": st.kind === "area" ? "2 2" : "none",
        }));
      precision.appendChild(el("div", { class: "legend-item", "data-resolution": res }, icon, st.label));
    }
    const sel = $("f-modality");
    for (const m of meta.modalities) sel.appendChild(el("option", { value: m }, m));
  }

  // ---- table ---------------------------------------------------------------------------------
  function renderTable(data) {
    const tbody = document.querySelector("#events tbody");
    WW.clear(tbody);
    for (const ev of data.events) {
      const loc = ev.location || {};
      const tr = el("tr", { "data-event-id": ev.id, class: ev.id === state.selected ? "selected" : null, tabindex: 0 },
        el("td", {}, (ev.date && ev.date.value) || ""),
        el("td", {}, WW.typeChip(ev.event_type)),
        el("td", {}, WW.badge(ev.modality)),
        el("td", {}, (WW.actorNames(ev.source) || "?") + " → " + (WW.actorNames(ev.target) || "?")),
        el("td", {}, [loc.name || loc.text, loc.country].filter(Boolean).join(", ")),
        el("td", { class: "trigger" }, (ev.trigger && ev.trigger.text) || ""),
        el("td", { class: "num" }, Number(ev.confidence || 0).toFixed(2)));
      tr.addEventListener("click", () => select(ev.id));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") select(ev.id); });
      tbody.appendChild(tr);
    }
    if (!data.events.length) tbody.appendChild(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No events match.")));
    const from = data.total ? data.offset + 1 : 0;
    const to = data.offset + data.events.length;
    $("page-info").textContent = `${from}–${to} of ${data.total} events`;
    $("prev").disabled = data.offset <= 0;
    $("next").disabled = to >= data.total;
  }

  // ---- loading -------------------------------------------------------------------------------
  async function refresh(keepPage) {
    if (!keepPage) state.offset = 0;
    saveHash();
    syncForm();
    const mine = ++seq;
    document.body.dataset.busy = "1"; // until the latest refresh is drawn (tests wait on it)
    try {
      const p = params();
      exportLinks(p);
      const count = countMode();
      const [page, geo, days, still] = await Promise.all([
        WW.getJSON("/api/events", Object.assign({ limit: PAGE, offset: state.offset, order: state.order }, p)),
        WW.getJSON("/api/events.geojson", Object.assign({ limit: MAP_LIMIT, count: count }, p)),
        WW.getJSON("/api/aggregate", Object.assign({ by: "day", count: count }, params({ noDates: true }))),
        keepPage || !state.selected ? null : selectedStillMatches(p),
      ]);
      if (mine !== seq) return;
      showError("");
      features = geo.features;
      if (still === false) closeExcluded();
      drawMarkers();
      fitToMarkers();
      timeline.setData(days.buckets, [state.date_from, state.date_to], count);
      renderTable(page);
      mapNote(features.length, geo.total, count);
      if (!state.selected) await overview(page.total, count);
      document.body.dataset.loaded = String(mine);
      delete document.body.dataset.busy;
    } catch (err) {
      if (mine === seq) {
        showError(err.message);
        delete document.body.dataset.busy;
      }
    }
  }

  // Does the selected event still match filters p? (its article's events under the filters)
  async function selectedStillMatches(p) {
    if (!selectedArticle) return true;
    const got = await WW.getJSON("/api/events", Object.assign({}, p, { article_id: selectedArticle, limit: 1000 }));
    return got.events.some((e) => e.id === state.selected);
  }

  // The filters exclude the event in the panel: back to the overview, with a note saying why.
  function closeExcluded() {
    state.selected = null;
    selectedArticle = null;
    saveHash();
    const note = $("map-note");
    note.dataset.closed = "1";
  }

  // Download links for the current filter (the API's own URLs).
  function exportLinks(p) {
    const qs = (extra) => new URLSearchParams(Object.assign({}, p, extra)).toString();
    $("export-geojson").href = "/api/events.geojson?" + qs({ limit: 20000, count: "events" });
    $("export-json").href = "/api/events?" + qs({ limit: 1000, order: state.order });
  }

  function sortIndicators() {
    document.querySelectorAll("#events button.sort").forEach((b) => {
      const key = b.dataset.order;
      const on = state.order.replace("-", "") === key;
      b.classList.toggle("active", on);
      b.dataset.dir = on ? (state.order.startsWith("-") ? "desc" : "asc") : "";
      b.title = "sort by " + key;
    });
  }

  function mapNote(shown, total, count) {
    const note = $("map-note");
    const noun = count === "incidents" ? "incident" : "event";
    note.textContent = shown < total
      ? `map: ${shown} located ${noun}s of ${total} (newest first; zoom with "only map view" or filter)`
      : `map: ${shown} located ${noun}${shown === 1 ? "" : "s"}`;
    if (note.dataset.closed) {
      note.appendChild(el("span", { class: "closed-note" }, " · the event shown before does not match the filters"));
      delete note.dataset.closed;
    }
  }

  async function overview(total, count) {
    const got = await WW.getJSON("/api/actors", Object.assign({ limit: 25, count: count }, params()));
    let n = total;
    if (count === "incidents") {
      n = (await WW.getJSON("/api/incidents", Object.assign({ limit: 1 }, params()))).total;
    }
    WW.renderOverview($("panel"), got.actors, n, (name) => {
      state.actor = name;
      refresh();
    }, count);
  }

  function unselect() {
    state.selected = null;
    selectedArticle = null;
    saveHash();
    document.querySelectorAll("#events tr.selected").forEach((r) => r.classList.remove("selected"));
    drawMarkers();
    refresh(true);
  }

  async function select(id) {
    state.selected = id;
    saveHash();
    document.querySelectorAll("#events tr.selected").forEach((r) => r.classList.remove("selected"));
    document.querySelectorAll(`#events tr[data-event-id="${CSS.escape(id)}"]`).forEach((r) => {
      r.classList.add("selected");
      r.scrollIntoView({ block: "nearest" });
    });
    drawMarkers();
    try {
      const data = await WW.getJSON("/api/events/" + encodeURIComponent(id));
      if (state.selected !== id) return;
      selectedArticle = data.event.article.id;
      WW.renderPanel($("panel"), data.event);
      const art = await WW.getJSON("/api/articles/" + encodeURIComponent(data.event.article.id));
      if (state.selected === id) WW.renderSiblings($("panel"), art.events, id, select);
      if (state.selected === id && data.event.incident && hasIncidents) await incidentSummary(data.event.incident);
      showError("");
    } catch (err) {
      showError(err.message);
    }
  }

  // In the event panel: how many reports the event's incident has, and a button to compare them.
  async function incidentSummary(incId) {
    const slot = document.querySelector("#panel .incident-slot");
    if (!slot) return;
    const inc = (await WW.getJSON("/api/incidents/" + encodeURIComponent(incId))).incident;
    WW.clear(slot);
    const st = inc.standing || {};
    slot.appendChild(document.createTextNode(inc.n_reports + " report" + (inc.n_reports === 1 ? "" : "s") + " · "
      + inc.n_outlets + " outlet" + (inc.n_outlets === 1 ? "" : "s") + (st.summary ? " · " + st.summary : "") + " "));
    const btn = el("button", { type: "button", class: "open-incident" }, "compare the reports");
    btn.addEventListener("click", () => openIncident(incId));
    slot.appendChild(btn);
  }

  function openIncident(incId) {
    state.incident = incId;
    saveHash();
    WW.openIncident(incId, select, () => { state.incident = null; saveHash(); });
  }

  async function loadStats() {
    try {
      const s = (await WW.getJSON("/api/stats")).stats || {};
      const parts = [];
      if (s.events !== undefined) parts.push(s.events + " events");
      if (s.articles !== undefined) parts.push(s.articles + " articles");
      if (s.incidents !== undefined) parts.push(s.incidents + " incidents");
      hasIncidents = s.incidents !== undefined;
      $("f-count").hidden = !hasIncidents;
      $("stats").textContent = parts.join(" · ") + (meta && meta.writable ? " · writable" : " · read-only");
    } catch (err) {
      showError(err.message);
    }
  }

  function debounce(fn, ms) {
    let t = null;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  function bindForm() {
    const later = debounce(() => refresh(), 300);
    $("filters").addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
    $("f-modality").addEventListener("change", (e) => { state.modality = e.target.value; refresh(); });
    $("f-country").addEventListener("input", (e) => {
      const v = e.target.value.trim().toUpperCase();
      if (v.length === 0 || v.length === 3) { state.country = v; later(); }
    });
    $("f-actor").addEventListener("input", (e) => { state.actor = e.target.value.trim(); later(); });
    $("f-text").addEventListener("input", (e) => { state.text = e.target.value.trim(); later(); });
    $("f-conf").addEventListener("input", (e) => {
      state.min_confidence = parseFloat(e.target.value) || 0;
      $("f-conf-out").textContent = state.min_confidence.toFixed(2);
      later();
    });
    $("f-bbox").addEventListener("change", (e) => { state.bboxOn = e.target.checked; refresh(); });
    document.querySelectorAll("#f-count input").forEach((r) => r.addEventListener("change", (e) => {
      state.count = e.target.value === "events" ? "events" : "incidents";
      refresh(true);
    }));
    $("f-reset").addEventListener("click", () => {
      Object.assign(state, { types: new Set(), modality: "", country: "", actor: "", text: "",
        min_confidence: 0, date_from: "", date_to: "", bboxOn: false });
      refresh();
    });
    $("t-clear").addEventListener("click", () => { state.date_from = ""; state.date_to = ""; refresh(); });
    document.querySelectorAll("#events button.sort").forEach((b) => b.addEventListener("click", () => {
      const key = b.dataset.order;
      state.order = state.order === "-" + key ? key : "-" + key;
      sortIndicators();
      refresh();
    }));
    sortIndicators();
    $("legend-toggle").addEventListener("click", () => {
      const legend = $("legend");
      legend.hidden = !legend.hidden;
      $("legend-toggle").setAttribute("aria-expanded", String(!legend.hidden));
      syncForm();
    });
    $("t-zoom").addEventListener("click", () => timeline.setZoomed(!timeline.zoomed));
    $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); refresh(true); });
    $("next").addEventListener("click", () => { state.offset += PAGE; refresh(true); });
  }

  async function main() {
    loadHash();
    try {
      meta = await WW.getJSON("/api/meta");
    } catch (err) {
      showError(err.message);
      return;
    }
    initMap();
    buildLegend();
    timeline = new WW.Timeline($("timeline"), (from, to) => {
      state.date_from = from || "";
      state.date_to = to || "";
      refresh();
    }, timelineHead);
    bindForm();
    WW.initIncidentView();
    $("panel").addEventListener("ww-close", unselect);
    if (meta.writable) {
      WW.initIngest((result) => {
        loadStats();
        refresh().then(() => { if (result.events.length) select(result.events[0]); });
      });
    }
    await loadStats();
    await refresh();
    if (state.selected) await select(state.selected);
    if (state.incident && hasIncidents) openIncident(state.incident);
  }

  const UNIT_WORD = { day: "day", week: "week", month: "month", year: "year" };

  // The timeline's heading says what a bar is (incidents or events, per day/week/month/year).
  function timelineHead(info) {
    const title = $("t-title");
    const what = info.series === "incidents" ? "Incidents" : "Events";
    title.textContent = info.unit ? `${what} per ${UNIT_WORD[info.unit]} — drag to select dates` : what;
    $("t-key").hidden = info.series !== "incidents";
    const zoom = $("t-zoom");
    zoom.hidden = !info.zoomable;
    zoom.textContent = info.zoomed ? "show all" : "zoom to selection";
  }

  document.addEventListener("DOMContentLoaded", main);
})(window.WW);
