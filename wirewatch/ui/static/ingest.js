// "Add article" dialog: POST /api/articles with the server's write token (shown only on writable servers).
"use strict";

(function (WW) {
  const $ = (id) => document.getElementById(id);

  async function post(body, token) {
    const resp = await fetch("/api/articles", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await resp.json();
    } catch (e) {
      data = null;
    }
    if (!resp.ok || !data || data.ok === false) {
      throw new Error(data && data.error ? data.error : resp.status + " " + resp.statusText);
    }
    return data;
  }

  // onStored(result) is called after an article was stored (result.events: new event ids).
  WW.initIngest = function (onStored) {
    const dialog = $("add-dialog");
    const status = $("add-status");
    $("add-open").hidden = false;
    $("add-open").addEventListener("click", () => { status.textContent = ""; dialog.showModal(); });
    $("add-cancel").addEventListener("click", () => dialog.close());
    $("add-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { text: $("add-text").value };
      for (const [key, id] of [["title", "add-title"], ["url", "add-url"], ["published", "add-published"]]) {
        const v = $(id).value.trim();
        if (v) body[key] = v;
      }
      $("add-submit").disabled = true;
      status.textContent = "Analysing…";
      try {
        const result = await post(body, $("add-token").value);
        status.textContent = result.created
          ? `Stored: ${result.events.length} event${result.events.length === 1 ? "" : "s"} found.`
          : "This article is already in the database.";
        if (result.created) {
          $("add-text").value = "";
          onStored(result);
        }
      } catch (err) {
        status.textContent = "Error: " + err.message;
      } finally {
        $("add-submit").disabled = false;
      }
    });
  };
})(window.WW);
