/* Kaifang review keys, menus and text selection. No build step, no dependencies.
 *
 * Words: every string shown comes from the message catalogue; the page embeds the js.* entries
 * in its language (<script type="application/json" id="kaifang-i18n">, data, so the CSP allows it).
 *
 * Offsets: the server counts Unicode code points; JavaScript strings count UTF-16 units (a rare
 * character such as 𠮷 is two units). Every text-bearing element of #doc-text carries its
 * code-point offset in data-o; a selection's position is that offset plus the number of code
 * points (Array.from) of the text before it inside the element.
 *
 * Keys (shown on the page and under ?): y saves the decision form, which arrives filled in with
 * the machine's proposal (a reviewer) or the reviewer's decision (the committee), so agreeing is
 * one key; n then opens the next document that still awaits work in the queue one came from.
 */
(function () {
  "use strict";

  var MSG = {};
  try { MSG = JSON.parse((document.getElementById("kaifang-i18n") || {}).textContent || "{}"); } catch (e) { MSG = {}; }
  function T(key, params) {
    var s = MSG["js." + key];
    if (s === undefined) s = key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  // htmx requests carry the CSRF token too.
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });

  function flash(message, ok) {
    var el = document.getElementById("flash");
    if (!el) return;
    el.textContent = message || "";
    el.className = ok ? "info" : "";
    if (ok) setTimeout(function () { if (el.textContent === message) el.textContent = ""; }, 4000);
  }

  function api(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var d = data && (data.message || data.detail);
          if (Array.isArray(d)) d = T("invalid_input");
          throw new Error(d || T("http_error", { status: r.status }));
        }
        return data;
      });
    });
  }

  function typing(t) {
    if (!t || !t.tagName) return false;
    if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
    if (t.tagName !== "INPUT") return false;
    var type = (t.getAttribute("type") || "text").toLowerCase();
    return ["radio", "checkbox", "button", "submit", "reset"].indexOf(type) < 0;
  }

  // ------------------------------------------------------------------ queue page
  var QUEUE_KEYS = ["stage", "collection", "year", "decision", "min_confidence", "max_confidence", "reviewer", "order"];

  function rememberQueue() {
    var t = document.querySelector("table[data-queue-ids]");
    if (!t) return;
    var params = new URLSearchParams(location.search), keep = new URLSearchParams();
    QUEUE_KEYS.forEach(function (k) { if (params.get(k)) keep.set(k, params.get(k)); });
    if (location.pathname === "/committee" && !keep.get("stage")) keep.set("stage", "committee");
    sessionStorage.setItem("kaifang.queueQuery", keep.toString());
    sessionStorage.setItem("kaifang.queueUrl", location.pathname + location.search);
  }
  document.addEventListener("htmx:afterSwap", rememberQueue);

  var rowIdx = -1;
  function queueRows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr[data-id]")); }
  function focusRow(i) {
    var rows = queueRows();
    if (!rows.length) return;
    rowIdx = (i + rows.length) % rows.length;
    rows.forEach(function (r) { r.classList.remove("focus"); });
    rows[rowIdx].classList.add("focus");
    var a = rows[rowIdx].querySelector("a.doc-link");
    if (a) a.focus();
  }

  // ------------------------------------------------------------------ document page
  var panel = null, focusIdx = -1;

  function docId() { return panel && panel.getAttribute("data-doc"); }
  function grid() { return panel && panel.querySelector(".doc-grid"); }
  function version() { var g = grid(); return g ? parseInt(g.getAttribute("data-version"), 10) : null; }
  function canEdit() { var g = grid(); return g && g.getAttribute("data-can-edit") === "1"; }
  function marks() { return panel ? Array.prototype.slice.call(panel.querySelectorAll("mark.span")) : []; }

  function setFocus(i, noScroll) {
    var ms = marks();
    ms.forEach(function (m) { m.classList.remove("focus"); });
    if (!ms.length) { focusIdx = -1; return; }
    focusIdx = ((i % ms.length) + ms.length) % ms.length;  // j past the last wraps to the first
    ms[focusIdx].classList.add("focus");
    if (document.activeElement !== ms[focusIdx]) ms[focusIdx].focus({ preventScroll: !!noScroll });
    if (!noScroll) ms[focusIdx].scrollIntoView({ block: "nearest" });
  }
  function focused() { var ms = marks(); return focusIdx >= 0 ? ms[focusIdx] : null; }

  // The decision form's state survives a panel refresh (a span change re-renders the panel).
  function formState() {
    var f = document.getElementById("decision-form");
    if (!f) return null;
    var fd = new FormData(f);
    return { endpoint: f.getAttribute("data-endpoint"), decision: fd.get("decision"), reasons: fd.getAll("reasons"),
      closure: fd.get("closure"), review_after: fd.get("review_after"), note: fd.get("note"), ranges: ranges() };
  }
  function restoreForm(st) {
    var f = document.getElementById("decision-form");
    if (!st || !f || f.getAttribute("data-endpoint") !== st.endpoint) return;
    f.querySelectorAll('input[name="decision"]').forEach(function (i) { i.checked = i.value === st.decision; });
    f.querySelectorAll('input[name="reasons"]').forEach(function (i) { i.checked = st.reasons.indexOf(i.value) >= 0; });
    f.querySelector('select[name="closure"]').value = st.closure || "";
    f.querySelector('input[name="review_after"]').value = st.review_after || "";
    f.querySelector('textarea[name="note"]').value = st.note || "";
    var list = document.getElementById("redact-list");
    list.innerHTML = "";
    st.ranges.forEach(function (r) { addRangeItem(r); });
  }

  function refresh(keepId) {
    var st = formState();
    return fetch("/documents/" + docId() + "/panel", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected && r.url.indexOf("/login") >= 0) { location.href = r.url; throw new Error(T("signed_out")); }
        if (!r.ok) throw new Error(T("reload"));
        return r.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
        restoreForm(st);
        bindPanel();
        var ms = marks(), idx = -1;
        if (keepId) ms.forEach(function (m, i) { if (m.getAttribute("data-id") === String(keepId)) idx = i; });
        if (idx < 0 && focusIdx >= 0) idx = Math.min(focusIdx, ms.length - 1);
        if (idx >= 0) setFocus(idx, true);
      });
  }

  function act(promise, okText, keepId) {
    return promise.then(function (data) {
      flash(okText, true);
      return refresh(keepId || (data && data.span && data.span.id));
    }).catch(function (err) { flash(err.message, false); });
  }

  function spanAction(kind, extra) {
    var m = focused();
    if (!m) { flash(T("pick_span")); return; }
    if (!canEdit()) { flash(T("no_edit")); return; }
    var body = Object.assign({ version: version() }, extra || {});
    return act(api("/api/spans/" + m.getAttribute("data-id") + "/" + kind, body), T("done_" + kind));
  }

  // code-point offset of a DOM position (node, utf16Offset) inside #doc-text, or null
  function cpOffset(node, off) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    while (el && !el.hasAttribute("data-o")) {
      if (el.id === "doc-text") return null;
      el = el.parentElement;
    }
    if (!el) return null;
    var r = document.createRange();
    r.setStart(el, 0);
    r.setEnd(node, off);
    return parseInt(el.getAttribute("data-o"), 10) + Array.from(r.toString()).length;
  }

  function selectionRange() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var text = document.getElementById("doc-text");
    var rg = sel.getRangeAt(0);
    if (!text || !text.contains(rg.startContainer) || !text.contains(rg.endContainer)) return null;
    var a = cpOffset(rg.startContainer, rg.startOffset), b = cpOffset(rg.endContainer, rg.endOffset);
    if (a === null || b === null || b <= a) return null;
    return { start: a, end: b, text: sel.toString(), rect: rg.getBoundingClientRect() };
  }

  // ------------------------------------------------------------------ menus (keyboard: digits pick a label)
  var pending = null, openMenu = null;

  function place(pop, rect) {
    pop.style.left = Math.max(4, window.scrollX + rect.left) + "px";
    pop.style.top = (window.scrollY + rect.bottom + 6) + "px";
  }
  function closeMenus() {
    ["sel-menu", "relabel"].forEach(function (id) { var p = document.getElementById(id); if (p) p.hidden = true; });
    openMenu = null;
  }

  function showSelMenu() {
    var s = selectionRange(), pop = document.getElementById("sel-menu");
    if (!pop) return;
    if (!s || (!canEdit() && !document.getElementById("decision-form"))) { if (openMenu === "sel") closeMenus(); pending = null; return; }
    pending = s;
    pop.querySelector(".sel-preview").textContent = "「" + s.text + "」";
    place(pop, s.rect);
    pop.hidden = false;
    openMenu = "sel";
  }

  function addSpan(label) {
    if (!pending) return;
    var s = pending;
    closeMenus();
    pending = null;
    window.getSelection().removeAllRanges();
    return act(api("/api/documents/" + docId() + "/spans",
      { start: s.start, end: s.end, label: label, version: version(), expect_text: s.text }), T("span_added"));
  }

  function openRelabel() {
    var m = focused(), pop = document.getElementById("relabel");
    if (!m) { flash(T("pick_span")); return; }
    if (!canEdit()) { flash(T("no_edit")); return; }
    place(pop, m.getBoundingClientRect());
    pop.hidden = false;
    openMenu = "relabel";
    var b = pop.querySelector('button[data-label]:not([data-label="' + m.getAttribute("data-label") + '"])');
    if (b) b.focus();
  }

  function menuKey(e) {
    var pop = document.getElementById(openMenu === "sel" ? "sel-menu" : "relabel");
    if (!pop) return false;
    var buttons = Array.prototype.slice.call(pop.querySelectorAll("button[data-label]"));
    var hit = buttons.filter(function (b) { var k = b.querySelector("kbd"); return k && k.textContent === e.key; })[0];
    if (hit) { hit.click(); return true; }
    if (openMenu === "sel" && e.key === "m") { addRange(); return true; }
    return false;
  }

  // ------------------------------------------------------------------ ranges to mask (committee or reviewer)
  function ranges() {
    var list = document.getElementById("redact-list");
    if (!list) return [];
    return Array.prototype.slice.call(list.querySelectorAll("li")).map(function (li) {
      return { start: parseInt(li.getAttribute("data-start"), 10), end: parseInt(li.getAttribute("data-end"), 10),
        text: li.getAttribute("data-text") || li.querySelector("span").textContent.replace(/^「|」$/g, ""),
        reason: li.getAttribute("data-reason") || null };
    });
  }
  function addRangeItem(r) {
    var list = document.getElementById("redact-list");
    if (!list) return;
    var li = document.createElement("li"), span = document.createElement("span"), b = document.createElement("button");
    li.setAttribute("data-start", r.start); li.setAttribute("data-end", r.end);
    li.setAttribute("data-text", r.text); li.setAttribute("data-reason", r.reason || "");
    span.textContent = "「" + r.text + "」"; span.setAttribute("translate", "no");
    b.type = "button"; b.className = "remove-range"; b.textContent = "✕";
    b.setAttribute("aria-label", T("remove_range", { text: r.text }));
    li.appendChild(span); li.appendChild(document.createTextNode(" ")); li.appendChild(b);
    list.appendChild(li);
  }
  function addRange() {
    var s = pending || selectionRange(), f = document.getElementById("decision-form");
    if (!f) { flash(T("no_decision")); return; }
    if (!s) { flash(T("select_first")); return; }
    closeMenus();
    pending = null;
    window.getSelection().removeAllRanges();
    if (ranges().some(function (r) { return r.start < s.end && s.start < r.end; })) { flash(T("range_overlaps")); return; }
    addRangeItem({ start: s.start, end: s.end, text: s.text, reason: null });
    justSaved = false;
    var red = f.querySelector('input[name="decision"][value="OPEN_REDACTED"]');
    if (red && !red.checked) { red.checked = true; flash(T("range_added_redacted"), true); }
    else flash(T("range_added"), true);
  }

  // ------------------------------------------------------------------ the decision
  var justSaved = false;

  function submitDecision(ev) {
    ev.preventDefault();
    var f = ev.target, fd = new FormData(f);
    var body = {
      version: version(), decision: fd.get("decision"), reasons: fd.getAll("reasons"),
      closure: fd.get("closure") || null, review_after: fd.get("review_after") || null, note: fd.get("note") || "",
      redact: ranges().map(function (r) { var x = { start: r.start, end: r.end, text: r.text }; if (r.reason) x.reason = r.reason; return x; })
    };
    if (!body.decision) { flash(T("choose_decision")); return; }
    if (body.decision === "OPEN") { body.reasons = []; body.closure = null; body.redact = []; }
    if (body.decision !== "CLOSED") body.closure = null;
    if (body.decision === "CLOSED") body.redact = [];
    if (body.closure !== "DEFERRED") body.review_after = null;
    var replaced = f.getAttribute("data-replaces");
    var ok = (f.getAttribute("data-stage") === "final" ? T("saved_final") : T("saved")) +
      (replaced ? " " + T("replaced", { reviewer: replaced }) : "") + " " + T("next_hint");
    var btn = document.getElementById("save-decision");
    if (btn) btn.disabled = true;
    api(f.getAttribute("data-endpoint"), body).then(function () {
      justSaved = true;
      return refresh().then(function () { flash(ok, true); });
    }).catch(function (err) { flash(err.message, false); if (btn) btn.disabled = false; });
  }

  function bindPanel() {
    var f = document.getElementById("decision-form");
    if (f) {
      f.addEventListener("submit", submitDecision);
      // a change after a save makes the next y a new save; an unchanged form is not saved twice
      f.addEventListener("change", function () { justSaved = false; });
      f.addEventListener("input", function () { justSaved = false; });
    }
    var list = document.getElementById("redact-list");
    if (list) list.addEventListener("click", function (e) {
      if (e.target.classList.contains("remove-range")) {
        e.target.parentElement.remove(); justSaved = false; flash(T("range_removed"), true);
      }
    });
    var rs = document.getElementById("rescan-btn");
    if (rs) rs.addEventListener("click", function () {
      rs.disabled = true;
      act(api(rs.getAttribute("data-endpoint"), { version: version() }), T("rescanned"));
    });
    marks().forEach(function (m, i) {
      m.addEventListener("click", function () { setFocus(i, true); });
      m.addEventListener("focus", function () { focusIdx = i; marks().forEach(function (x) { x.classList.toggle("focus", x === m); }); });
    });
  }

  function neighbourUrl(step) {
    var q = sessionStorage.getItem("kaifang.queueQuery") || "";
    return "/documents/" + docId() + "/neighbour?step=" + step + (q ? "&" + q : "");
  }

  function initDocument() {
    panel = document.getElementById("doc-panel");
    if (!panel) return;
    bindPanel();
    var back = document.getElementById("back-queue"), q = sessionStorage.getItem("kaifang.queueUrl");
    if (back && q) back.href = q;
    [["prev-doc", -1], ["next-doc", 1]].forEach(function (x) {
      var a = document.getElementById(x[0]);
      if (a) a.href = neighbourUrl(x[1]);
    });
    panel.addEventListener("mouseup", function () { setTimeout(showSelMenu, 0); });
    panel.addEventListener("keyup", function (e) { if (e.shiftKey) setTimeout(showSelMenu, 0); });
    var sel = document.getElementById("sel-menu");
    if (sel) sel.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      if (b.hasAttribute("data-label")) addSpan(b.getAttribute("data-label"));
      else if (b.id === "sel-redact") addRange();
      else if (b.id === "sel-cancel") closeMenus();
    });
    var rel = document.getElementById("relabel");
    if (rel) rel.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      closeMenus();
      if (b.hasAttribute("data-label")) {
        var m = focused();
        if (m && b.getAttribute("data-label") === m.getAttribute("data-label")) return;
        spanAction("relabel", { label: b.getAttribute("data-label") });
      }
    });
  }

  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) { var b = document.getElementById("help-close"); if (b) b.focus(); }
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("#help-link, #help-close");
    if (!t) return;
    e.preventDefault();
    toggleHelp(t.id === "help-link");
  });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Escape") {
      toggleHelp(false);
      closeMenus();
      if (typing(t)) t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (typing(t)) return;
    if (openMenu && menuKey(e)) { e.preventDefault(); return; }
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (!panel) {  // the queue
      if (!document.querySelector("table[data-queue-ids]")) return;
      var handledQ = true;
      switch (e.key) {
        case "j": focusRow(rowIdx + 1); break;
        case "k": focusRow(rowIdx < 0 ? -1 : rowIdx - 1); break;
        case "n": var rows = queueRows(), r = rows[rowIdx >= 0 ? rowIdx : 0];
          if (r) location.href = r.querySelector("a.doc-link").getAttribute("href"); break;
        default: handledQ = false;
      }
      if (handledQ) e.preventDefault();
      return;
    }
    var handled = true;
    switch (e.key) {
      case "y": var f = document.getElementById("decision-form");
        if (justSaved) flash(T("already_saved"), true);
        else if (f) { if (f.requestSubmit) f.requestSubmit(); else f.dispatchEvent(new Event("submit", { cancelable: true })); }
        else flash(T("no_decision"));
        break;
      case "j": setFocus(focusIdx + 1); break;
      case "k": setFocus(focusIdx < 0 ? -1 : focusIdx - 1); break;
      case "a": spanAction("accept"); break;
      case "r": spanAction("reject"); break;
      case "l": openRelabel(); break;
      case "Enter": if (t && t.matches && t.matches("mark.span")) openRelabel(); else handled = false; break;
      case "s": var s = selectionRange();
        if (!s) { flash(T("select_first")); break; }
        window.getSelection().removeAllRanges(); closeMenus();
        spanAction("resize", { start: s.start, end: s.end }); break;
      case "m": addRange(); break;
      case "u": act(api("/api/documents/" + docId() + "/undo", { version: version() }), T("undone")); break;
      case "d": var c = document.querySelector('#decision-form input[name="decision"]:checked') ||
          document.querySelector('#decision-form input[name="decision"]');
        if (c) { c.focus(); } else flash(T("no_decision"));
        break;
      case "n": location.href = neighbourUrl(1); break;
      case "p": location.href = neighbourUrl(-1); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () { rememberQueue(); initDocument(); });

  // Export form on the audit page: POST with CSRF, then download the answer.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.id !== "export-form") return;
    e.preventDefault();
    var params = new URLSearchParams(location.search), fd = new FormData(f);
    var body = { format: fd.get("format"), user: params.get("actor") || null, since: params.get("since") || null,
      until: params.get("until") || null, document: params.get("document") ? parseInt(params.get("document"), 10) : null };
    fetch(f.getAttribute("data-endpoint"), { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify(body) })
      .then(function (r) { if (!r.ok) throw new Error(T("http_error", { status: r.status })); return r.blob(); })
      .then(function (b) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(b);
        a.download = "kaifang-audit." + body.format;
        document.body.appendChild(a); a.click(); a.remove();
        flash(T("exported"), true);
      }).catch(function (err) { flash(err.message); });
  });
})();
