// Event panel: the event's fields and the article text with its evidence spans highlighted.
"use strict";

(function (WW) {
  const el = WW.el;
  const ROLES = ["trigger", "source", "target", "location", "date", "claimant", "reporter"];
  const ROLE_LABEL = {
    trigger: "trigger", source: "source actor", target: "target actor", location: "place",
    date: "date", claimant: "claimant", reporter: "reporter",
  };

  function roleClass(role) {
    const r = String(role || "").toLowerCase();
    return ROLES.includes(r) ? r : "other";
  }

  // Spans of the record itself (used when the store gives no evidence spans).
  function recordSpans(ev) {
    const out = [];
    const add = (role, s) => {
      if (s && Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start) {
        out.push({ role: role, text: s.text, start: s.start, end: s.end });
      }
    };
    add("trigger", ev.trigger);
    (ev.source || []).forEach((m) => add("source", m));
    (ev.target || []).forEach((m) => add("target", m));
    add("location", ev.location);
    add("date", ev.date);
    (ev.attribution || []).forEach((a) => add(a.role === "reporter" ? "reporter" : "claimant", a));
    return out;
  }

  // The store labels attribution spans "attribution"; the record says whether each is a claimant or reporter.
  function attributionRole(ev, span) {
    if (span.role !== "attribution") return span;
    const a = (ev.attribution || []).find((x) => x.start === span.start && x.end === span.end);
    return Object.assign({}, span, { role: a && a.role === "reporter" ? "reporter" : "claimant" });
  }

  // Split the text (as code points: offsets are Python str indices) at every span boundary and wrap
  // each covered piece in a <mark> of the innermost span's role. Text goes in as text nodes only.
  function highlighted(text, spans, sentence) {
    const chars = Array.from(text || "");
    const n = chars.length;
    const valid = spans.filter((s) => s.start >= 0 && s.end <= n && s.end > s.start);
    const cuts = new Set([0, n]);
    valid.forEach((s) => { cuts.add(s.start); cuts.add(s.end); });
    if (sentence) { cuts.add(Math.max(0, sentence.start)); cuts.add(Math.min(n, sentence.end)); }
    const points = Array.from(cuts).filter((c) => c >= 0 && c <= n).sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    let sentNode = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      const piece = chars.slice(a, b).join("");
      const covering = valid.filter((s) => s.start <= a && s.end >= b);
      let node;
      if (covering.length) {
        covering.sort((x, y) => (x.end - x.start) - (y.end - y.start)
          || ROLES.indexOf(roleClass(x.role)) - ROLES.indexOf(roleClass(y.role)));
        const roles = Array.from(new Set(covering.map((s) => roleClass(s.role))));
        node = el("mark", {
          class: "hl hl-" + roles[0], "data-role": roles[0],
          title: roles.map((r) => ROLE_LABEL[r] || r).join(", "),
        }, piece);
      } else {
        node = document.createTextNode(piece);
      }
      const inSentence = sentence && a >= sentence.start && b <= sentence.end;
      if (inSentence) {
        if (!sentNode) { sentNode = el("span", { class: "ev-sentence" }); frag.appendChild(sentNode); }
        sentNode.appendChild(node);
      } else {
        frag.appendChild(node);
      }
    }
    return frag;
  }

  WW.highlighted = highlighted;

  // The evidence spans of an event record (its stored spans, else the record's own), roles resolved.
  WW.evidenceSpans = function (ev) {
    const evidence = ev.evidence || {};
    return evidence.spans && evidence.spans.length ? evidence.spans.map((s) => attributionRole(ev, s))
      : recordSpans(ev);
  };

  // The event's sentence with its spans highlighted (offsets shifted from the article into the sentence).
  WW.sentenceEvidence = function (ev) {
    const evidence = ev.evidence || {};
    const base = (ev.sentence && ev.sentence.start) || 0;
    const shifted = WW.evidenceSpans(ev).map((s) => ({ role: s.role, start: s.start - base, end: s.end - base }));
    let text = evidence.sentence_text;
    if (!text && evidence.article_text && ev.sentence) {
      text = Array.from(evidence.article_text).slice(ev.sentence.start, ev.sentence.end).join("");
    }
    return highlighted(text || "", shifted, null);
  };

  WW.placeLine = function (loc) {
    if (!loc) return null;
    const res = WW.resolutionKind(loc.resolution);
    return el("span", {}, el("mark", { class: "hl hl-location" }, loc.name || loc.text || "?"),
      " " + [loc.admin1, loc.country].filter(Boolean).join(", "),
      loc.resolution ? el("span", { class: "res res-" + res.kind, title: res.label }, " · " + loc.resolution) : null);
  };

  function field(dl, label, ...value) {
    const parts = value.flat().filter((v) => v !== null && v !== undefined && v !== "");
    if (!parts.length) return;
    dl.appendChild(el("dt", {}, label));
    dl.appendChild(el("dd", {}, parts));
  }

  function actorLine(m, role) {
    const bits = [el("mark", { class: "hl hl-" + role }, m.name || m.text)];
    const meta = [m.country, m.sector].filter(Boolean).join(" ");
    if (meta) bits.push(" " + meta);
    if (m.text && m.name && m.text !== m.name) bits.push(el("span", { class: "muted" }, " “" + m.text + "”"));
    return el("div", {}, bits);
  }

  function legend() {
    return el("div", { class: "hl-legend" }, ROLES.map((r) => el("mark", { class: "hl hl-" + r }, ROLE_LABEL[r])));
  }

  // The panel before an event is chosen: the most frequent actors under the current filters.
  // onActor(name) is called when one is clicked.
  // count: "incidents" or "events" (what the actor counts are of).
  WW.renderOverview = function (panel, actors, total, onActor, count) {
    WW.clear(panel);
    const noun = (count === "incidents" ? "incident" : "event") + (total === 1 ? "" : "s");
    panel.appendChild(el("p", { class: "hint" },
      "Click an event on the map or in the table to see the article with its evidence."));
    panel.appendChild(el("h2", { class: "top-actors", "data-count": noun }, "Top actors",
      el("span", { class: "muted" }, " in " + total + " " + noun)));
    const list = el("ol", { class: "actors" });
    for (const a of actors) {
      const btn = el("button", { type: "button", class: "linkish", title: "filter by this actor" }, a.name);
      btn.addEventListener("click", () => onActor(a.name));
      list.appendChild(el("li", {}, el("div", { class: "actor-row" },
        el("span", {}, btn, el("span", { class: "muted" }, " " + [a.country, a.sector].filter(Boolean).join(" "))),
        el("span", { class: "count", title: noun + " (as source / as target)" },
          (count === "incidents" && a.incidents !== undefined ? a.incidents : a.events)
          + " (" + a.as_source + " / " + a.as_target + ")"))));
    }
    panel.appendChild(actors.length ? list : el("p", { class: "muted" }, "No actors."));
  };

  // "Events in this article": every event of the article, the current one marked; onPick(id) opens one.
  WW.renderSiblings = function (panel, events, currentId, onPick) {
    const box = el("details", { class: "siblings" });
    box.appendChild(el("summary", {}, "Events in this article (" + events.length + ")"));
    const list = el("ol", {});
    for (const ev of events) {
      const label = [ev.event_type, "“" + ((ev.trigger && ev.trigger.text) || "") + "”",
        WW.actorNames(ev.source) || "?", "→", WW.actorNames(ev.target) || "?"].join(" ");
      const item = ev.id === currentId
        ? el("strong", {}, label)
        : el("button", { type: "button", class: "linkish", "data-event-id": ev.id }, label);
      if (ev.id !== currentId) item.addEventListener("click", () => onPick(ev.id));
      list.appendChild(el("li", {}, item, " ", WW.badge(ev.modality)));
    }
    box.appendChild(list);
    const text = panel.querySelector(".article-text");
    panel.insertBefore(box, text ? text.previousSibling : null);
  };

  // Fill the panel with one event (record + evidence).
  WW.renderPanel = function (panel, ev) {
    WW.clear(panel);
    const evidence = ev.evidence || {};
    const spans = WW.evidenceSpans(ev);
    const art = ev.article || {};
    const head = el("div", { class: "panel-head" }, WW.typeChip(ev.event_type),
      ev.mode ? el("span", { class: "mode" }, ev.mode) : null, WW.badge(ev.modality),
      el("span", { class: "conf", title: "confidence" }, Number(ev.confidence || 0).toFixed(2)));
    const close = el("button", { type: "button", class: "close", title: "back to the overview" }, "×");
    close.addEventListener("click", () => panel.dispatchEvent(new CustomEvent("ww-close")));
    head.appendChild(close);
    panel.appendChild(head);
    if (ev.modality && ev.modality !== "asserted" && ev.modality !== "historical") {
      panel.appendChild(el("p", { class: "claim-note badge-" + WW.badge(ev.modality).textContent },
        "Not established as fact: this event is " + ev.modality + " in the article."));
    }
    const dl = el("dl", { class: "fields" });
    field(dl, "Trigger", ev.trigger ? el("mark", { class: "hl hl-trigger" }, ev.trigger.text) : null);
    field(dl, "Source", (ev.source || []).map((m) => actorLine(m, "source")));
    field(dl, "Target", (ev.target || []).map((m) => actorLine(m, "target")));
    const loc = ev.location;
    if (loc) {
      const coords = loc.lat !== null && loc.lat !== undefined ? ` (${(+loc.lat).toFixed(2)}, ${(+loc.lon).toFixed(2)})` : "";
      const res = WW.resolutionKind(loc.resolution);
      field(dl, "Place", el("mark", { class: "hl hl-location" }, loc.name || loc.text),
        loc.text && loc.name && loc.text !== loc.name ? el("span", { class: "muted" }, " “" + loc.text + "”") : null,
        " " + [loc.admin1, loc.country].filter(Boolean).join(", ") + coords,
        loc.resolution ? el("span", { class: "res res-" + res.kind, title: res.label }, " · " + loc.resolution
          + (res.kind === "area" ? " (approximate: the whole " + loc.resolution + ")" : "")) : null);
    }
    const d = ev.date || {};
    if (d.text) {
      field(dl, "Date", el("mark", { class: "hl hl-date" }, d.value || "?"),
        el("span", { class: "muted" }, " · " + (d.precision || "") + " “" + d.text + "”"));
    } else {
      field(dl, "Date", d.value || "?", el("span", { class: "muted" }, " · publication date (no date in the text)"));
    }
    field(dl, "According to", (ev.attribution || []).map((a) =>
      el("div", {}, el("mark", { class: "hl hl-" + (a.role === "reporter" ? "reporter" : "claimant") }, a.text),
        el("span", { class: "muted" }, " · " + a.role))));
    field(dl, "CAMEO / contexts", [ev.cameo_root, (ev.contexts || []).join(", ")].filter(Boolean).join(" · "));
    const url = WW.safeUrl(art.url);
    field(dl, "Article", art.title || art.id,
      art.published ? el("span", { class: "muted" }, " · published " + art.published) : null,
      url ? el("div", {}, el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, url)) : null);
    field(dl, "Event id", el("code", {}, ev.id));
    if (ev.incident) field(dl, "Incident", el("span", { class: "incident-slot", "data-incident": ev.incident }, ev.incident));
    panel.appendChild(dl);
    panel.appendChild(legend());
    const body = el("div", { class: "article-text" });
    if (evidence.article_text) {
      body.appendChild(highlighted(evidence.article_text, spans, ev.sentence));
    } else {  // sentence only: shift article offsets into the sentence
      const base = (ev.sentence && ev.sentence.start) || 0;
      const shifted = spans.map((s) => ({ role: s.role, start: s.start - base, end: s.end - base }));
      body.appendChild(highlighted(evidence.sentence_text || "", shifted, null));
    }
    panel.appendChild(body);
    const sent = body.querySelector(".ev-sentence") || body.querySelector(".hl-trigger");
    if (sent) body.scrollTop = Math.max(0, sent.offsetTop - body.offsetTop - 40);
  };
})(window.WW);
