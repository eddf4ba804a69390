"use strict";
// The live panel of /ops: Server-Sent Events from /ops/events (same origin, session cookie),
// written with textContent only. Without this script the page is complete but for this panel.
(() => {
  const list = document.getElementById("live-events");
  const status = document.getElementById("live-status");
  const pause = document.getElementById("live-pause");
  if (!list || !status || !window.EventSource) return;
  const labels = JSON.parse(document.getElementById("live-labels").textContent);
  const MAX = 100;
  const locale = document.documentElement.lang === "nl" ? "nl-NL" : "en-GB";
  let paused = false;
  let held = [];

  const say = (key) => { status.textContent = labels.status[key]; status.dataset.state = key; };
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const clock = (iso) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    return date.toLocaleTimeString(locale, { timeZone: "Europe/Amsterdam" });
  };

  function show(e) {
    const kind = String(e.type || "").replace("nl.vroegsignaal.", "");
    const item = el("li", null, "event event-" + kind.replace(".", "-"));
    const head = el("div", null, "event-head");
    head.append(el("strong", labels.types[kind] || kind));
    const time = el("time", clock(e.time));
    if (e.time) time.dateTime = e.time;
    head.append(time);
    const meta = el("div", null, "event-meta");
    if (e.signal_type) meta.append(el("span", labels.signal_types[e.signal_type] || e.signal_type));
    if (e.priority) {
      meta.append(el("span", labels.priorities[e.priority] || e.priority,
        "badge badge-" + e.priority));
    }
    const source = String(e.source || "").replace("/vroegsignaal/sources/", "")
      .replace("/vroegsignaal/", "");
    meta.append(el("span", source, "event-source"));
    meta.append(el("span", labels.household + " " + (e.key || "–"), "mono"));
    item.append(head, meta);
    list.prepend(item);
    while (list.children.length > MAX) list.lastElementChild.remove();
  }

  function connect() {
    say("connecting");
    const source = new EventSource(list.dataset.stream);
    source.onopen = () => say("live");
    source.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (paused) held.push(event); else show(event);
      if (status.dataset.state !== "live") say("live");
    };
    source.addEventListener("unavailable", () => say("unavailable"));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        say("signed_out");  // the stream answered 401: the session ended
      } else {
        say("reconnecting");  // the server ends each stream after a minute; EventSource retries
      }
    };
  }

  pause.hidden = false;
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? labels.resume : labels.pause;
    pause.setAttribute("aria-pressed", String(paused));
    if (!paused) { held.forEach(show); held = []; }
  });
  say("waiting");
  connect();
})();
