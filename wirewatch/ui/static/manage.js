// "Sources & alerts" panel: followed feeds with their health and saved alerts (GET /api/sources,
// /api/alerts); on a writable server, follow / unfollow a URL and add / delete an alert with the write
// token. Self-contained: it builds its own button and dialog (createElement + textContent only).
"use strict";

(function (WW) {
  const el = (tag, attrs, ...kids) => WW.el(tag, attrs || {}, ...kids);

  async function call(method, path, body, token) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok || !data || data.ok === false) {
      throw new Error(data && data.error ? data.error : resp.status + " " + resp.statusText);
    }
    return data;
  }

  function when(iso) { return iso ? iso.slice(0, 16).replace("T", " ") : "never"; }

  function table(cols, rows) {
    return el("table", { class: "manage-table" },
      el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, c)))),
      el("tbody", {}, ...rows));
  }

  function init(meta) {
    const open = el("button", { type: "button", id: "manage-open", class: "add-open" }, "Sources & alerts");
    const header = document.querySelector("header.top");
    header.insertBefore(open, header.querySelector(".docs-link"));
    if (meta.writable) open.style.marginLeft = "6px"; // the "+ Add article" button already takes the gap
    const status = el("p", { id: "manage-status", class: "add-status", role: "status" });
    const token = el("input", { id: "manage-token", type: "password", autocomplete: "off" });
    const sources = el("div", { id: "manage-sources" });
    const alerts = el("div", { id: "manage-alerts" });
    const srcUrl = el("input", { id: "manage-source-url", type: "url", placeholder: "https://…/rss.xml" });
    const alName = el("input", { id: "manage-alert-name", placeholder: "name, e.g. syria-assaults", maxlength: "64" });
    const alType = el("input", { id: "manage-alert-type", placeholder: "ASSAULT,PROTEST", size: "14" });
    const alCountry = el("input", { id: "manage-alert-country", placeholder: "SYR", size: "5" });
    const alHook = el("input", { id: "manage-alert-webhook", type: "url", placeholder: "webhook URL (optional)" });
    const writeUi = el("div", { class: "manage-write" },
      el("label", {}, "Write token ", token),
      el("form", { id: "manage-source-form" }, el("label", {}, "Follow ", srcUrl),
        el("button", { type: "submit", id: "manage-source-add" }, "Follow")),
      el("form", { id: "manage-alert-form" }, el("label", {}, "Alert ", alName), el("label", {}, "types ", alType),
        el("label", {}, "country ", alCountry), el("label", {}, "to ", alHook),
        el("button", { type: "submit", id: "manage-alert-add" }, "Add alert")));
    writeUi.hidden = !meta.writable;
    const close = el("button", { type: "button", id: "manage-close" }, "Close");
    const dialog = el("dialog", { id: "manage-dialog", class: "add-dialog" },
      el("h2", {}, "Followed sources"), sources, el("h2", {}, "Alerts"), alerts, writeUi, status,
      el("div", { class: "add-actions" }, close));
    document.body.appendChild(dialog);

    function del(label, action) {
      const b = el("button", { type: "button", class: "manage-delete" }, label);
      b.hidden = !meta.writable;
      b.addEventListener("click", () => run(action));
      return b;
    }

    async function run(action, done) {
      status.textContent = "…";
      try {
        await action();
        status.textContent = done || "Done.";
        await refresh();
      } catch (err) {
        status.textContent = "Error: " + err.message;
      }
    }

    async function refresh() {
      const [s, a] = await Promise.all([call("GET", "/api/sources"), call("GET", "/api/alerts")]);
      sources.replaceChildren(s.sources.length ? table(["url", "items", "last success", "failures", "last error", ""],
        s.sources.map((x) => el("tr", { "data-url": x.url }, el("td", {}, x.url), el("td", {}, String(x.items)),
          el("td", {}, when(x.last_success)), el("td", {}, String(x.consecutive_failures)),
          el("td", {}, x.last_error || ""),
          el("td", {}, del("Unfollow", () => call("DELETE", "/api/sources?url=" + encodeURIComponent(x.url),
            undefined, token.value))))))
        : el("p", {}, "No sources followed."));
      alerts.replaceChildren(a.alerts.length ? table(["name", "filter", "to", "pending", "last run", ""],
        a.alerts.map((x) => el("tr", { "data-alert": x.name }, el("td", {}, x.name),
          el("td", {}, Object.entries(x.filter).map(([k, v]) => k + "=" + v).join(" ") || "(all)"),
          el("td", {}, x.destination ? x.destination.kind + " " + x.destination.target : "watch run output"),
          el("td", {}, String(x.pending)), el("td", {}, when(x.last_run)),
          el("td", {}, del("Delete", () => call("DELETE", "/api/alerts/" + encodeURIComponent(x.name),
            undefined, token.value))))))
        : el("p", {}, "No alerts saved."));
    }

    open.addEventListener("click", () => {
      status.textContent = "";
      dialog.showModal();
      refresh().catch((err) => { status.textContent = "Error: " + err.message; });
    });
    close.addEventListener("click", () => dialog.close());
    writeUi.querySelector("#manage-source-form").addEventListener("submit", (e) => {
      e.preventDefault();
      run(() => call("POST", "/api/sources", { url: srcUrl.value.trim() }, token.value), "Following.");
    });
    writeUi.querySelector("#manage-alert-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const filter = {};
      if (alType.value.trim()) filter.type = alType.value.trim();
      if (alCountry.value.trim()) filter.country = alCountry.value.trim();
      const body = { name: alName.value.trim(), filter };
      if (alHook.value.trim()) body.destination = { kind: "webhook", target: alHook.value.trim() };
      run(() => call("POST", "/api/alerts", body, token.value), "Alert saved.");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    call("GET", "/api/meta").then(init).catch(() => {});
  });
})(window.WW);
