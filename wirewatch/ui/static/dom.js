// Shared helpers for the wirewatch page. All article data is untrusted: nodes are built with
// createElement + textContent, never innerHTML.
"use strict";

window.WW = window.WW || {};

(function (WW) {
  const SVG_NS = "http://www.w3.org/2000/svg";

  // PLOVER type colours: cooperative types in greens/blues, conflictual ones in oranges/reds.
  WW.TYPE_COLORS = {
    AGREE: "#1b9e77", CONSULT: "#66c2a5", SUPPORT: "#7fbc41", CONCEDE: "#8da0cb",
    COOPERATE: "#377eb8", AID: "#4daf4a", RETREAT: "#bfa36f", REQUEST: "#6baed6",
    ACCUSE: "#fdae61", REJECT: "#e6ab02", THREATEN: "#ff7f00", PROTEST: "#e78ac3",
    SANCTION: "#984ea3", MOBILIZE: "#a65628", COERCE: "#d95f02", ASSAULT: "#e41a1c",
  };

  // How a modality is drawn on the map: asserted events are filled; claims, possibilities and
  // denials are hollow with dashed/dotted outlines so they never look like established facts.
  WW.MODALITY_STYLE = {
    asserted: { fillOpacity: 0.8, dashArray: null, weight: 1.5 },
    historical: { fillOpacity: 0.35, dashArray: null, weight: 1 },
    reported: { fillOpacity: 0.55, dashArray: null, weight: 2 },
    claimed: { fillOpacity: 0, dashArray: "4 3", weight: 2.5 },
    possible: { fillOpacity: 0, dashArray: "1 4", weight: 2.5 },
    planned: { fillOpacity: 0, dashArray: "1 4", weight: 2.5 },
    negated: { fillOpacity: 0, dashArray: "6 2 1 2", weight: 2 },
  };

  WW.typeColor = function (type) {
    return WW.TYPE_COLORS[type] || "#777777";
  };

  // Element builder: el("td", {class: "x", title: "y"}, child, "text", ...). Strings become text nodes.
  WW.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    WW.setAttrs(node, attrs);
    WW.append(node, children);
    return node;
  };

  WW.svg = function (tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    WW.setAttrs(node, attrs);
    WW.append(node, children);
    return node;
  };

  WW.setAttrs = function (node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) throw new Error("use addEventListener, not " + key);
      node.setAttribute(key, value === true ? "" : String(value));
    }
  };

  WW.append = function (node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  };

  WW.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  };

  WW.badge = function (modality) {
    const m = /^[a-z]+$/.test(modality || "") ? modality : "unknown";
    return WW.el("span", { class: "badge badge-" + m, title: "modality: " + m }, m);
  };

  WW.typeChip = function (type) {
    const chip = WW.el("span", { class: "type-chip" }, type || "?");
    chip.style.setProperty("--type-color", WW.typeColor(type));
    return chip;
  };

  WW.actorNames = function (mentions) {
    return (mentions || []).map((m) => m.name || m.text).filter(Boolean).join(" + ");
  };

  // Only http(s) links become clickable (no javascript: or data: URLs from article metadata).
  WW.safeUrl = function (url) {
    try {
      const u = new URL(String(url));
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  };

  WW.getJSON = async function (path, params) {
    const qs = params ? new URLSearchParams(params).toString() : "";
    const resp = await fetch(path + (qs ? "?" + qs : ""), { headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = null;
    }
    if (!resp.ok || !body || body.ok === false) {
      const msg = body && body.error ? body.error : resp.status + " " + resp.statusText;
      throw new Error(msg);
    }
    return body;
  };
})(window.WW);
