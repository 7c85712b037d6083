/* Kaifang review keys and text selection. No build step, no dependencies.
 *
 * Offsets: the server counts Unicode code points; JavaScript strings count UTF-16 units (a rare
 * character such as 𠮷 is two units). Every text-bearing element of #doc-text carries its
 * code-point offset in data-o; a selection's position is that offset plus the number of code
 * points (Array.from) of the text before it inside the element.
 */
(function () {
  "use strict";

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
    if (ok) setTimeout(function () { if (el.textContent === message) el.textContent = ""; }, 2500);
  }

  function api(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var d = data && data.detail;
          if (Array.isArray(d)) d = d.map(function (x) { return x.msg; }).join("; ");
          throw new Error(d || ("HTTP " + r.status));
        }
        return data;
      });
    });
  }

  // ------------------------------------------------------------------ queue: remember the order
  function rememberQueue() {
    var t = document.querySelector("table[data-queue-ids]");
    if (!t) return;
    var ids = t.getAttribute("data-queue-ids").split(",").filter(Boolean);
    if (ids.length) sessionStorage.setItem("kaifang.queue", JSON.stringify(ids));
    sessionStorage.setItem("kaifang.queueUrl", location.pathname + location.search);
  }
  document.addEventListener("htmx:afterSwap", rememberQueue);

  // ------------------------------------------------------------------ document page
  var panel = null, focusIdx = -1;

  function docId() { return panel && panel.getAttribute("data-doc"); }
  function version() {
    var g = panel && panel.querySelector(".doc-grid");
    return g ? parseInt(g.getAttribute("data-version"), 10) : null;
  }
  function canEdit() {
    var g = panel && panel.querySelector(".doc-grid");
    return g && g.getAttribute("data-can-edit") === "1";
  }
  function marks() { return panel ? Array.prototype.slice.call(panel.querySelectorAll("mark.span")) : []; }

  function setFocus(i) {
    var ms = marks();
    ms.forEach(function (m) { m.classList.remove("focus"); });
    if (!ms.length) { focusIdx = -1; return; }
    focusIdx = Math.max(0, Math.min(ms.length - 1, i));
    ms[focusIdx].classList.add("focus");
    ms[focusIdx].scrollIntoView({ block: "nearest" });
  }
  function focused() { var ms = marks(); return focusIdx >= 0 ? ms[focusIdx] : null; }

  function refresh(keepId) {
    return fetch("/documents/" + docId() + "/panel", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected && r.url.indexOf("/login") >= 0) { location.href = r.url; throw new Error("signed out"); }
        if (!r.ok) throw new Error("HTTP " + r.status + ": reload the page");
        return r.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
        bindPanel();
        var ms = marks(), idx = -1;
        if (keepId) ms.forEach(function (m, i) { if (m.getAttribute("data-id") === String(keepId)) idx = i; });
        if (idx < 0 && focusIdx >= 0) idx = Math.min(focusIdx, ms.length - 1);
        if (idx >= 0) setFocus(idx);
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
    if (!m) { flash("先用 j/k 选择一个标注 (select a span with j/k first)"); return; }
    if (!canEdit()) { flash("你的角色不能修改标注 (your role may not edit spans)"); return; }
    var body = Object.assign({ version: version() }, extra || {});
    return act(api("/api/spans/" + m.getAttribute("data-id") + "/" + kind, body), kind + " ✓");
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

  var pending = null;
  function showAddPopup() {
    var s = selectionRange(), pop = document.getElementById("add-span");
    if (!pop) return;
    if (!s || !canEdit()) { pop.hidden = true; pending = null; return; }
    pending = s;
    pop.querySelector(".sel-preview").textContent = "「" + s.text + "」 [" + s.start + ", " + s.end + ")";
    pop.style.left = (window.scrollX + s.rect.left) + "px";
    pop.style.top = (window.scrollY + s.rect.bottom + 6) + "px";
    pop.hidden = false;
  }

  function addSpan() {
    if (!pending) return;
    var label = document.getElementById("add-label").value, s = pending;
    document.getElementById("add-span").hidden = true;
    pending = null;
    window.getSelection().removeAllRanges();
    return act(api("/api/documents/" + docId() + "/spans",
      { start: s.start, end: s.end, label: label, version: version(), expect_text: s.text }), "新增标注 span added");
  }

  function resizeToSelection() {
    var s = selectionRange();
    if (!s) { flash("先选中新的范围 (select the new extent first)"); return; }
    window.getSelection().removeAllRanges();
    document.getElementById("add-span").hidden = true;
    return spanAction("resize", { start: s.start, end: s.end });
  }

  function openRelabel() {
    var m = focused(), pop = document.getElementById("relabel");
    if (!m || !pop) return;
    var r = m.getBoundingClientRect();
    pop.style.left = (window.scrollX + r.left) + "px";
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
    document.getElementById("relabel-label").value = m.getAttribute("data-label");
    pop.hidden = false;
    document.getElementById("relabel-label").focus();
  }

  function submitDecision(ev) {
    ev.preventDefault();
    var f = ev.target, fd = new FormData(f);
    var body = {
      version: version(), decision: fd.get("decision"), reasons: fd.getAll("reasons"),
      closure: fd.get("closure") || null, review_after: fd.get("review_after") || null, note: fd.get("note") || ""
    };
    if (!body.decision) { flash("请选择决定 (choose a decision)"); return; }
    if (body.decision === "OPEN") { body.reasons = []; body.closure = null; }
    if (body.closure !== "DEFERRED") body.review_after = null;
    act(api(f.getAttribute("data-endpoint"), body), "决定已保存 decision saved");
  }

  function bindPanel() {
    var f = document.getElementById("decision-form");
    if (f) f.addEventListener("submit", submitDecision);
    var rs = document.getElementById("rescan-btn");
    if (rs) rs.addEventListener("click", function () {
      rs.disabled = true;
      act(api(rs.getAttribute("data-endpoint"), { version: version() }), "已重新检测 re-scanned");
    });
    marks().forEach(function (m, i) { m.addEventListener("click", function () { setFocus(i); }); });
  }

  function neighbour(step) {
    var ids = JSON.parse(sessionStorage.getItem("kaifang.queue") || "[]"), i = ids.indexOf(String(docId()));
    if (i >= 0 && ids[i + step]) return "/documents/" + ids[i + step];
    var link = document.getElementById(step > 0 ? "next-doc" : "prev-doc");
    return link ? link.getAttribute("data-fallback") : null;
  }

  function initDocument() {
    panel = document.getElementById("doc-panel");
    if (!panel) return;
    bindPanel();
    var back = document.getElementById("back-queue"), q = sessionStorage.getItem("kaifang.queueUrl");
    if (back && q) back.href = q;
    ["prev-doc", "next-doc"].forEach(function (id, k) {
      var a = document.getElementById(id);
      if (a) a.addEventListener("click", function (e) { e.preventDefault(); var u = neighbour(k ? 1 : -1); if (u) location.href = u; });
    });
    document.getElementById("doc-text") && panel.addEventListener("mouseup", function () { setTimeout(showAddPopup, 0); });
    document.getElementById("add-go").addEventListener("click", addSpan);
    document.getElementById("add-cancel").addEventListener("click", function () { document.getElementById("add-span").hidden = true; });
    document.getElementById("relabel-go").addEventListener("click", function () {
      document.getElementById("relabel").hidden = true;
      spanAction("relabel", { label: document.getElementById("relabel-label").value });
    });
    document.getElementById("relabel-cancel").addEventListener("click", function () { document.getElementById("relabel").hidden = true; });
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    var help = document.getElementById("help");
    if (e.key === "Escape") {
      if (help) help.hidden = true;
      ["add-span", "relabel"].forEach(function (id) { var p = document.getElementById(id); if (p) p.hidden = true; });
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) {
      if (tag === "SELECT" && e.key === "Enter" && t.id === "add-label") { e.preventDefault(); addSpan(); }
      if (tag === "SELECT" && e.key === "Enter" && t.id === "relabel-label") { e.preventDefault(); document.getElementById("relabel-go").click(); }
      return;
    }
    if (e.key === "?") { if (help) help.hidden = !help.hidden; e.preventDefault(); return; }
    if (!panel) return;
    var handled = true;
    switch (e.key) {
      case "j": setFocus(focusIdx + 1); break;
      case "k": setFocus(focusIdx < 0 ? 0 : focusIdx - 1); break;
      case "a": spanAction("accept"); break;
      case "r": spanAction("reject"); break;
      case "l": openRelabel(); break;
      case "s": resizeToSelection(); break;
      case "u": act(api("/api/documents/" + docId() + "/undo", { version: version() }), "已撤销 undone"); break;
      case "d": var f = document.querySelector('#decision-form input[name="decision"]');
        if (f) { f.scrollIntoView({ block: "center" }); f.focus(); } else flash("你不能在此阶段决定 (no decision for you at this stage)");
        break;
      case "n": case "p": var u = neighbour(e.key === "n" ? 1 : -1); if (u) location.href = u; break;
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
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.blob(); })
      .then(function (b) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(b);
        a.download = "kaifang-audit." + body.format;
        document.body.appendChild(a); a.click(); a.remove();
        flash("已导出 exported", true);
      }).catch(function (err) { flash(err.message); });
  });
})();
