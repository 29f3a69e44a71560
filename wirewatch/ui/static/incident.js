// Incident view: one real-world event and every report of it side by side — outlet, modality,
// attribution and the reporting sentence with its evidence spans highlighted as in the event panel.
"use strict";

(function (WW) {
  const el = WW.el;
  const $ = (id) => document.getElementById(id);
  let closed = null; // called when the dialog closes

  function parties(list) {
    return (list || []).map((p) => p.party + (p.n_reports > 1 ? " (" + p.n_reports + " reports)" : "")).join("; ");
  }

  function standingBox(inc) {
    const st = inc.standing || {};
    const dl = el("dl", { class: "fields inc-standing" });
    const add = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", {}, label));
      dl.appendChild(el("dd", {}, value));
    };
    add("Standing", st.summary ? WW.badge(st.summary === "denied" ? "negated" : st.summary) : null);
    if (st.summary) dl.lastChild.appendChild(document.createTextNode(" " + st.summary));
    add("Asserted independently", st.asserted_independently
      ? "yes" + (st.asserted_by && st.asserted_by.length ? " — " + st.asserted_by.join(", ") : "") : "no");
    add("Claimed by", parties(st.claimed_by));
    add("Denied by", parties(st.denied_by));
    add("Reported by", parties(st.reported_by));
    const d = inc.date || {};
    add("Date", d.value ? d.value + " · " + (d.precision || "")
      + (d.start && d.end && d.start !== d.end ? " (" + d.start + " – " + d.end + ")" : "") : null);
    add("Place", WW.placeLine(inc.location));
    add("Reports", inc.n_reports + " report" + (inc.n_reports === 1 ? "" : "s") + " in " + inc.n_articles
      + " article" + (inc.n_articles === 1 ? "" : "s") + " from " + inc.n_outlets + " outlet"
      + (inc.n_outlets === 1 ? "" : "s") + (inc.outlets && inc.outlets.length ? ": " + inc.outlets.join(", ") : ""));
    add("First / last report", [inc.first_report || "?", inc.last_report || "?"].join(" / "));
    add("Incident id", el("code", {}, inc.id));
    return dl;
  }

  function reportCard(ev, onOpen) {
    const art = ev.article || {};
    const outlet = ev.outlet || art.source || "(unknown outlet)";
    const card = el("article", { class: "report", "data-event-id": ev.id });
    card.appendChild(el("header", { class: "report-head" },
      el("strong", { class: "report-outlet" }, outlet), " ", WW.badge(ev.modality),
      el("span", { class: "muted report-date" }, art.published ? " " + art.published : "")));
    card.appendChild(el("div", { class: "report-title" }, art.title || art.id || ""));
    const meta = el("div", { class: "report-meta" }, WW.typeChip(ev.event_type), " ",
      el("span", {}, (WW.actorNames(ev.source) || "?") + " → " + (WW.actorNames(ev.target) || "?")));
    card.appendChild(meta);
    if ((ev.attribution || []).length) {
      card.appendChild(el("div", { class: "report-attr muted" }, "according to ",
        (ev.attribution || []).flatMap((a, i) => [i ? ", " : "",
          el("mark", { class: "hl hl-" + (a.role === "reporter" ? "reporter" : "claimant") }, a.text),
          " (" + a.role + ")"])));
    }
    const where = ev.location ? WW.placeLine(ev.location) : null;
    const when = ev.date && ev.date.value ? ev.date.value + " · " + (ev.date.precision || "") : "";
    card.appendChild(el("div", { class: "report-where muted" }, where, where && when ? " · " : "", when));
    card.appendChild(el("blockquote", { class: "report-text" }, WW.sentenceEvidence(ev)));
    const open = el("button", { type: "button", class: "linkish" }, "open the whole article");
    open.addEventListener("click", () => onOpen(ev.id));
    card.appendChild(open);
    return card;
  }

  // Open the incident `id` in the dialog; onOpen(eventId) shows one report in the event panel.
  WW.openIncident = async function (id, onOpen, onClose) {
    const dialog = $("incident-view");
    const body = $("incident-body");
    WW.clear(body);
    body.appendChild(el("p", { class: "muted" }, "Loading incident…"));
    if (!dialog.open) dialog.showModal();
    dialog.dataset.incident = id;
    closed = onClose || null;
    let inc;
    try {
      inc = (await WW.getJSON("/api/incidents/" + encodeURIComponent(id))).incident;
    } catch (err) {
      WW.clear(body);
      body.appendChild(el("p", { class: "error" }, err.message));
      return;
    }
    if (dialog.dataset.incident !== id) return;
    WW.clear(body);
    const reports = inc.reports || [];
    const title = $("incident-title");
    WW.clear(title);
    title.appendChild(WW.typeChip(inc.event_type));
    title.appendChild(document.createTextNode(" Incident · " + inc.n_reports + " report"
      + (inc.n_reports === 1 ? "" : "s") + " from " + inc.n_outlets + " outlet" + (inc.n_outlets === 1 ? "" : "s")));
    body.appendChild(standingBox(inc));
    body.appendChild(el("div", { class: "hl-legend" },
      ["trigger", "source", "target", "location", "date", "claimant", "reporter"].map((r) =>
        el("mark", { class: "hl hl-" + r }, r))));
    const grid = el("div", { class: "reports" });
    for (const ev of reports) {
      grid.appendChild(reportCard(ev, (eid) => { dialog.close(); onOpen(eid); }));
    }
    body.appendChild(grid);
    if (reports.length < (inc.event_ids || []).length) {
      body.appendChild(el("p", { class: "muted" }, "Showing " + reports.length + " of " + inc.event_ids.length
        + " reports."));
    }
    dialog.dataset.loaded = id;
  };

  WW.initIncidentView = function () {
    const dialog = $("incident-view");
    $("incident-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      delete dialog.dataset.loaded;
      delete dialog.dataset.incident;
      if (closed) closed();
    });
  };
})(window.WW);
