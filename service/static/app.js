// caveat's fact-checker page: POST the article to /v1/analyze, show it back with every cue
// highlighted in place, and link each claim to the caveats that qualify it.
//
// Rules this file keeps:
// - Text from the user or the service goes into the page only as text (textContent,
//   Text nodes), never as HTML.
// - The only network call is POST /v1/analyze to this origin; nothing is stored.
// - Offsets in the response are Unicode code point offsets (Python str indices); JavaScript
//   strings are UTF-16, so they are converted before slicing (see codePointIndexer).
"use strict";

(() => {
  const TITLE_INDEX = -1;
  const REQUEST_TIMEOUT_MS = 120000;

  const TYPE_HELP = {
    uncertainty: "lowers certainty",
    limitation: "says it is incomplete or limited",
    condition: "makes it depend on something",
    contrast: "turns against a preceding claim",
    attribution: "vague sourcing",
  };

  const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

  const FIELD_NAMES = { text: "Article text", title: "Headline", id: "Id", _schema: "Request" };

  const $ = (id) => document.getElementById(id);
  const INPUTS = ["text", "title", "api-key"];

  // ------------------------------------------------------------------------------ state

  const state = {
    analysis: null, // the last response, as received (for Copy report, Copy / Download JSON)
    byIndex: new Map(), // sentence index -> {sentence, el, text}
    claimToHedges: new Map(), // claim index -> [{index, strength}]
    hedgeToClaims: new Map(), // hedge index -> [{index, strength}]
    selected: null, // the selected sentence index
    highlights: [], // the focusable highlights (flagged sentences, cue words), in reading order
    current: null, // the one of them that Tab reaches (tabindex 0; all others -1)
    touched: [], // elements that carry a selection class, to clear without a DOM query
    tipFor: null, // "pointer" or "focus": what the tooltip is showing for
    tipTarget: null, // the highlight the tooltip describes
    tipHiding: 0, // the timer that hides a pointer's tooltip, unless the pointer comes back
    tipDismissed: null, // {target, x, y}: the highlight whose tooltip Esc hid, and where
    pointer: { x: -1, y: -1 }, // where the pointer last moved to
    busy: false,
    pending: null, // the AbortController of the analysis under way
    sent: null, // {text, title} of the analysis shown: the inputs it answers
    stale: false, // the inputs have changed since the analysis shown
    undo: null, // {text, title, analysis, sent}: what Clear removed, kept in memory until an edit
  };

  // ------------------------------------------------------------------------------ helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function percent(p) {
    return `${Math.round(p * 100)}%`;
  }

  function plural(n, one, many) {
    return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  }

  // The number of Unicode code points in s (what the service counts), without an array copy.
  function codePointLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  // A function from code point offsets to UTF-16 offsets of s. Text without surrogate
  // pairs (most articles) needs no table: the two offsets are the same.
  function codePointIndexer(s) {
    if (!/[\ud800-\udfff]/.test(s)) return (i) => i;
    const table = new Uint32Array(s.length + 1);
    let cp = 0;
    for (let i = 0; i < s.length; i++) {
      table[cp++] = i;
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    table[cp] = s.length;
    return (i) => (i <= cp ? table[i] : s.length);
  }

  function excerpt(text, max) {
    const flat = text.replace(/\s+/g, " ").trim();
    if (flat.length <= max) return flat;
    // By code points, so that an emoji is never cut in half.
    return `${Array.from(flat).slice(0, max - 1).join("").trimEnd()}…`;
  }

  // The whitespace Python's str.strip() removes, which the service's limits count without:
  // JavaScript's trim() also removes U+FEFF and keeps U+001C-U+001F and U+0085.
  const EDGE_SPACE =
    /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

  function strip(s) {
    return s.replace(EDGE_SPACE, "");
  }

  // Half of a surrogate pair (left by a program that cut text inside an emoji) is no
  // character and JSON cannot carry it: it becomes U+FFFD, one UTF-16 unit for one, so no
  // offset moves.
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

  function wellFormed(s) {
    return s.replace(LONE_SURROGATE, "\ufffd");
  }

  // Retry-After as a wait in plain words: seconds, or an HTTP date (RFC 9110).
  function waitWords(retryAfter) {
    if (!retryAfter) return "in a moment";
    let seconds = /^\s*\d+\s*$/.test(retryAfter)
      ? Number(retryAfter)
      : (Date.parse(retryAfter) - Date.now()) / 1000;
    if (!Number.isFinite(seconds) || seconds <= 0) return "in a moment";
    seconds = Math.ceil(seconds);
    if (seconds <= 90) return `in ${plural(seconds, "second", "seconds")}`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 90) return `in about ${plural(minutes, "minute", "minutes")}`;
    return `in about ${plural(Math.round(minutes / 60), "hour", "hours")}`;
  }

  function sentenceName(index) {
    return index === TITLE_INDEX ? "Headline" : `Sentence ${index + 1}`;
  }

  // ------------------------------------------------------------------------------ errors

  function setStatus(message) {
    $("status").textContent = message;
  }

  function showError(message, field) {
    const box = $("error");
    box.textContent = message;
    box.hidden = false;
    for (const id of INPUTS) {
      $(id).removeAttribute("aria-invalid");
      $(id).removeAttribute("aria-errormessage");
    }
    if (field) {
      $(field).setAttribute("aria-invalid", "true");
      $(field).setAttribute("aria-errormessage", "error");
    }
  }

  function clearError() {
    const box = $("error");
    box.hidden = true;
    box.textContent = "";
    for (const id of INPUTS) {
      $(id).removeAttribute("aria-invalid");
      $(id).removeAttribute("aria-errormessage");
    }
  }

  // A plain-words message for an error response of the service.
  function describeFailure(status, body, headers) {
    const error = body && body.error ? body.error : null;
    const details = error && error.details ? error.details : {};
    if (status === 413) {
      return "The article is too large to send: the service accepts up to about 1 MB. " +
        "Shorten it or split it into parts.";
    }
    if (status === 422) {
      const parts = Object.entries(details).map(([field, messages]) => {
        const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
        return `${FIELD_NAMES[field] || field}: ${text}`;
      });
      const why = parts.join(" ") || (error && error.message) || "";
      return `The service could not accept the text. ${why}`.trim();
    }
    if (status === 429) {
      return "You have reached this service's limit on analyses for now. Try again " +
        `${waitWords(headers.get("Retry-After"))}. Your text is kept here.`;
    }
    if (status === 401) {
      return $("api-key").value.trim()
        ? "The service did not accept this API key. Check it under “API key” and try again."
        : "This service needs an API key: enter it under “API key” and press Analyze again.";
    }
    if (status === 403) {
      return `The service refused the request${error ? `: ${error.message}` : "."}`;
    }
    if (status === 502 || status === 504 || (status === 503 && !error)) {
      // A proxy's answer, not caveat's (which always sends a JSON error): caveat is down.
      return "The caveat service is not answering right now: it may be restarting or down. " +
        "Try again in a minute; your text is kept here.";
    }
    if (status === 503) {
      const why = (error && error.message) || "";
      return `The service is up but cannot analyze text right now. ${why}`.trim();
    }
    if (status >= 500) {
      const id = details.request_id || headers.get("X-Request-ID");
      return `Something went wrong inside the service (error ${status}). Try again; if it ` +
        `keeps happening, report it${id ? ` with request id ${id}` : ""}.`;
    }
    return `The service answered with error ${status}${error ? `: ${error.message}` : "."}`;
  }

  // The input a failed request was about, to mark it invalid.
  function failedField(status, body) {
    if (status === 401) return "api-key";
    if (status === 413) return "text";
    if (status !== 422) return null;
    const details = (body && body.error && body.error.details) || {};
    return details.title && !details.text ? "title" : "text";
  }

  // ------------------------------------------------------------------------------ the request

  // The text and headline as an analysis sends them: well-formed, and the headline only
  // when it is not blank.
  function currentInputs() {
    const text = wellFormed($("text").value);
    const title = wellFormed($("title").value);
    return { text, title: strip(title) ? title : undefined };
  }

  function readForm() {
    const form = $("analyze-form");
    const maxChars = Number(form.dataset.maxChars) || 100000;
    const maxBytes = Number(form.dataset.maxBytes) || 0;
    const maxTitle = Number(form.dataset.maxTitleChars) || 1000;
    const { text, title } = currentInputs();
    if (!strip(text)) {
      return { error: "Paste the article text first: the box is empty.", field: "text" };
    }
    const length = codePointLength(strip(text));
    if (length > maxChars) {
      return {
        error: `The article is ${length.toLocaleString("en")} characters long; the limit is ` +
          `${maxChars.toLocaleString("en")}. Split it into parts and analyze each one.`,
        field: "text",
      };
    }
    const titleLength = title === undefined ? 0 : codePointLength(strip(title));
    if (titleLength > maxTitle) {
      return {
        error: `The headline is ${titleLength.toLocaleString("en")} characters long; the ` +
          `limit is ${maxTitle.toLocaleString("en")}. Shorten it, or leave it out.`,
        field: "title",
      };
    }
    const key = $("api-key").value.trim();
    if (/[^\x21-\x7e]/.test(key)) {
      return {
        error: "The API key can hold only letters, digits and punctuation (no spaces).",
        field: "api-key",
      };
    }
    const body = { text };
    if (title !== undefined) body.title = title;
    const json = JSON.stringify(body);
    if (maxBytes && new TextEncoder().encode(json).length > maxBytes) {
      return {
        error: "The article is too large to send: the service accepts up to about " +
          `${Math.floor(maxBytes / 1024).toLocaleString("en")} KB. ` +
          "Shorten it or split it into parts.",
        field: "text",
      };
    }
    return { body, json, key };
  }

  async function analyze(event) {
    if (event) event.preventDefault();
    if (state.busy) return;
    dropUndo();
    clearError();
    const request = readForm();
    if (request.error) {
      keepResult();
      setStatus("");
      showError(request.error, request.field);
      if (request.field === "api-key") $("key-details").open = true;
      $(request.field).focus();
      return;
    }
    setBusy(true);
    setStatus("Analyzing…");
    const controller = new AbortController();
    state.pending = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch("/v1/analyze", {
        method: "POST",
        headers: request.key
          ? { ...JSON_HEADERS, Authorization: `Bearer ${request.key}` }
          : JSON_HEADERS,
        body: request.json,
        cache: "no-store",
        credentials: "same-origin",
        signal: controller.signal,
      });
    } catch (error) {
      clearTimeout(timer);
      if (state.pending !== controller) return; // cancelled by Clear: nothing to show
      state.pending = null;
      setBusy(false);
      keepResult();
      setStatus("");
      showError(timedOut
        ? "The service took too long to answer. Try again, or try a shorter text."
        : "Could not reach the caveat service. Check that it is running and that you are " +
          "online, then try again.");
      return;
    }
    clearTimeout(timer);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (state.pending !== controller) return; // cancelled by Clear while the body arrived
    state.pending = null;
    setBusy(false);
    if (!response.ok) {
      keepResult();
      setStatus("");
      showError(describeFailure(response.status, data, response.headers),
        failedField(response.status, data));
      if (response.status === 401) {
        $("key-details").open = true;
        $("api-key").focus();
      }
      return;
    }
    if (!data || !Array.isArray(data.sentences) || !data.balance) {
      keepResult();
      setStatus("");
      showError(`The service sent an answer this page cannot read (status ${response.status}).`);
      return;
    }
    try {
      render(data, request.body);
    } catch (error) {
      hideResult();
      setStatus("");
      showError("The analysis arrived but could not be shown. Please report this.");
      return;
    }
    const b = data.balance;
    setStatus(`Analyzed ${plural(data.sentences.length, "sentence", "sentences")}: ` +
      `${plural(b.claims, "claim", "claims")}, ${plural(b.hedges, "caveat", "caveats")}, ` +
      `${b.qualified_claims.toLocaleString("en")} of the claims qualified.`);
    // Edited while the analysis was under way: say at once that it answers the old text.
    checkStale();
  }

  // Whether the inputs still hold what the analysis shown was made of; if not, the result
  // is dimmed, its export is off, and the status says to analyze again.
  function checkStale() {
    if (!state.sent || $("result").hidden) return;
    const now = currentInputs();
    const stale = now.text !== state.sent.text || now.title !== state.sent.title;
    if (stale === state.stale) return;
    markStale(stale);
    if (stale) {
      hideTip();
      setStatus("The text has changed since this analysis. Press Analyze to analyze it again.");
    } else {
      setStatus("The text is again the one analyzed below.");
    }
  }

  // The analysis shown is old (dimmed, with its note, its export buttons off), or current.
  function markStale(stale) {
    state.stale = stale;
    $("result").classList.toggle("stale", stale);
    $("stale-note").hidden = !stale;
    for (const button of document.querySelectorAll("#result .export button")) {
      button.disabled = stale;
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    // aria-disabled, not disabled: disabling the button that has the focus drops the focus
    // to <body>, and a screen reader's place with it. A press while busy does nothing.
    $("analyze").setAttribute("aria-disabled", busy ? "true" : "false");
    $("analyze").textContent = busy ? "Analyzing…" : "Analyze";
    $("analyze-form").setAttribute("aria-busy", busy ? "true" : "false");
  }

  // A failed analysis leaves the one shown, if any, as the user was reading it: marked as
  // old, as an edit marks it, when the inputs no longer hold what it answers.
  function keepResult() {
    checkStale();
  }

  function hideResult() {
    $("result").hidden = true;
    hideTip();
  }

  // ------------------------------------------------------------------------------ rendering

  // The text with each sentence wrapped in a span and each cue in a <mark>, built into a
  // DocumentFragment in one pass (no layout until it is attached).
  function renderText(text, sentences) {
    const fragment = document.createDocumentFragment();
    const at16 = codePointIndexer(text);
    let at = 0;
    for (const sentence of sentences) {
      const start = at16(sentence.start);
      const end = at16(sentence.end);
      if (start < at) continue; // never overlaps; a guard against a bad response
      if (start > at) fragment.append(text.slice(at, start));
      fragment.append(renderSentence(sentence, text, start, end, at16));
      at = end;
    }
    if (at < text.length) fragment.append(text.slice(at));
    return fragment;
  }

  function renderSentence(sentence, text, start, end, at16) {
    const span = el("span", "sentence");
    span.dataset.index = String(sentence.index);
    const claim = sentence.claim.flagged;
    const hedge = sentence.hedge.flagged;
    if (claim) span.classList.add("is-claim");
    if (hedge) span.classList.add("is-hedge");
    // Focusable, but not each a Tab stop: Tab reaches one highlight (see setCurrent).
    if (claim || hedge) span.tabIndex = -1;
    if (claim && !caveatsOf(sentence.index).length) {
      span.classList.add("is-unqualified");
    }
    const cues = sentence.cues.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    let at = start;
    const shown = new Set();
    for (const cue of cues) {
      const cueStart = Math.max(at16(cue.start), start);
      const cueEnd = Math.min(at16(cue.end), end);
      if (cueStart < at || cueEnd <= cueStart) continue; // overlapping cue: the first one shown
      if (cueStart > at) span.append(text.slice(at, cueStart));
      const mark = el("mark", null, text.slice(cueStart, cueEnd));
      mark.dataset.label = cue.label;
      if (cue.type) mark.dataset.type = cue.type;
      mark.tabIndex = -1;
      span.append(mark);
      shown.add(cue.label);
      at = cueEnd;
    }
    if (at < end) span.append(text.slice(at, end));
    // A role that no highlighted word shows would be told by the tint alone: the sentence
    // carries it in words instead (a tag the stylesheet shows, and a screen reader reads).
    const untold = [];
    if (claim && !shown.has("claim")) untold.push("claim");
    if (hedge && !shown.has("hedge")) untold.push("caveat");
    if (untold.length) span.dataset.tag = untold.join(" and ");
    state.byIndex.set(sentence.index, { sentence, el: span, text: text.slice(start, end) });
    return span;
  }

  // A claim's links to its caveats ({index, strength}, in text order); [] when unqualified.
  function caveatsOf(index) {
    return state.claimToHedges.get(index) || [];
  }

  function indexLinks(links) {
    state.claimToHedges = new Map();
    state.hedgeToClaims = new Map();
    for (const link of links) {
      if (!state.claimToHedges.has(link.claim)) state.claimToHedges.set(link.claim, []);
      if (!state.hedgeToClaims.has(link.hedge)) state.hedgeToClaims.set(link.hedge, []);
      state.claimToHedges.get(link.claim).push({ index: link.hedge, strength: link.strength });
      state.hedgeToClaims.get(link.hedge).push({ index: link.claim, strength: link.strength });
    }
    const inOrder = (a, b) => a.index - b.index;
    for (const list of state.claimToHedges.values()) list.sort(inOrder);
    for (const list of state.hedgeToClaims.values()) list.sort(inOrder);
  }

  function render(analysis, sent) {
    hideTip();
    state.analysis = analysis;
    state.sent = { text: sent.text, title: sent.title };
    markStale(false);
    state.byIndex = new Map();
    state.selected = null;
    state.touched = [];
    $("selection-said").textContent = "";
    indexLinks(analysis.links || []);

    const titleView = $("title-view");
    if (analysis.title && sent.title !== undefined) {
      const heading = el("p", "title-text");
      heading.append(renderText(sent.title, [analysis.title]));
      titleView.replaceChildren(el("span", "title-tag", "Headline"), heading);
      titleView.hidden = false;
    } else {
      titleView.replaceChildren();
      titleView.hidden = true;
    }
    $("article").replaceChildren(renderText(sent.text, analysis.sentences));
    collectHighlights();

    renderBalance(analysis.balance);
    renderClaimsList();
    renderSelection();
    $("result").hidden = false;
  }

  function renderBalance(balance) {
    const score = balance.score;
    $("balance-score").textContent = score === null ? "–" : score.toFixed(2);
    $("balance-score").classList.toggle("is-none", score === null);
    const meter = $("balance-meter");
    meter.value = score === null ? 0 : score;
    meter.textContent = score === null ? "no score" : score.toFixed(2);
    const label = $("balance-label");
    label.textContent = balance.label.replace(/-/g, " ");
    label.dataset.label = balance.label;
    $("balance-summary").textContent = balance.summary;
    $("count-claims").textContent = balance.claims.toLocaleString("en");
    $("count-hedges").textContent = balance.hedges.toLocaleString("en");
    $("count-qualified").textContent =
      `${balance.qualified_claims.toLocaleString("en")} of ${balance.claims.toLocaleString("en")}`;
  }

  function claimIndexes() {
    const indexes = [];
    for (const [index, entry] of state.byIndex) {
      if (entry.sentence.claim.flagged) indexes.push(index);
    }
    return indexes.sort((a, b) => a - b);
  }

  function typeChips(sentence) {
    const chips = el("span", "chips");
    for (const type of sentence.hedge.types) {
      const chip = el("span", "chip", type);
      chip.dataset.type = type;
      // A space between: without one a screen reader reads "uncertaintyconditioncontrast".
      if (chips.childElementCount) chips.append(" ");
      chips.append(chip);
    }
    return chips;
  }

  function renderClaimsList() {
    const list = $("claims-list");
    const fragment = document.createDocumentFragment();
    const claims = claimIndexes();
    $("claims-total").textContent = `(${claims.length.toLocaleString("en")})`;
    if (!claims.length) {
      fragment.append(el("li", "muted", "The article makes no optimistic claim."));
    } else if (claims.every((index) => caveatsOf(index).length)) {
      // Shown only by "Only unqualified", which would otherwise leave an empty list.
      fragment.append(el("li", "muted none-unqualified",
        "No claim is unqualified: every claim has at least one caveat."));
    }
    for (const index of claims) {
      const entry = state.byIndex.get(index);
      const caveats = caveatsOf(index);
      const item = el("li", "claim-item");
      item.dataset.index = String(index);
      if (!caveats.length) item.classList.add("is-unqualified");
      const button = el("button", "claim-button");
      button.type = "button";
      button.dataset.select = String(index);
      const meta = el("span", "item-meta");
      meta.append(el("span", "item-where", sentenceName(index)));
      meta.append(caveats.length
        ? el("span", "status-chip qualified", plural(caveats.length, "caveat", "caveats"))
        : el("span", "status-chip unqualified", "unqualified"));
      button.append(meta, el("span", "item-text", excerpt(entry.text, 160)));
      item.append(button);
      if (caveats.length) {
        const sub = el("ul", "caveat-list");
        for (const link of caveats) {
          const hedge = state.byIndex.get(link.index);
          if (!hedge) continue;
          const li = el("li");
          const jump = el("button", "caveat-button");
          jump.type = "button";
          jump.dataset.jump = String(link.index);
          jump.dataset.claim = String(index);
          const where = el("span", "item-meta");
          const name = link.index === index ? "The same sentence" : sentenceName(link.index);
          where.append(el("span", "item-where", name), typeChips(hedge.sentence));
          jump.append(where, el("span", "item-text", excerpt(hedge.text, 120)));
          li.append(jump);
          sub.append(li);
        }
        item.append(sub);
      }
      fragment.append(item);
    }
    list.replaceChildren(fragment);
    list.classList.toggle("only-unqualified", $("only-unqualified").checked);
  }

  // ------------------------------------------------------------------------------ keyboard

  // What can be focused in the text: a flagged sentence, and a cue word.
  const HIGHLIGHT = "mark, .sentence.is-claim, .sentence.is-hedge";

  function isFlagged(sentenceEl) {
    return sentenceEl.classList.contains("is-claim") || sentenceEl.classList.contains("is-hedge");
  }

  // The highlights are one Tab stop, however many there are (a roving tabindex): the one
  // last focused has tabindex 0, the others -1, and the arrow keys move among them.
  function collectHighlights() {
    state.highlights = [
      ...$("title-view").querySelectorAll(HIGHLIGHT),
      ...$("article").querySelectorAll(HIGHLIGHT),
    ];
    state.current = null;
    if (state.highlights.length) setCurrent(state.highlights[0]);
  }

  function setCurrent(node) {
    if (node === state.current) return;
    if (state.current) state.current.tabIndex = -1;
    node.tabIndex = 0;
    state.current = node;
  }

  const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  // Arrow keys: the next or previous highlight; Home and End: the first and the last.
  function moveAmongHighlights(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
    const last = state.highlights.length - 1;
    const at = state.highlights.indexOf(event.target);
    if (at < 0) return false;
    let to;
    if (event.key === "Home") to = 0;
    else if (event.key === "End") to = last;
    else if (STEPS[event.key]) to = Math.max(0, Math.min(last, at + STEPS[event.key]));
    else return false;
    event.preventDefault(); // the arrow keys move the focus here, not the page
    const node = state.highlights[to];
    setCurrent(node);
    node.focus();
    return true;
  }

  // ------------------------------------------------------------------------------ selection

  function clearSelection() {
    for (const node of state.touched) {
      node.classList.remove("is-selected", "is-linked", "is-flash", "is-current");
      node.removeAttribute("aria-current");
      delete node.dataset.badge;
    }
    state.touched = [];
    $("article").classList.remove("has-selection");
    $("title-view").classList.remove("has-selection");
  }

  function touch(node, ...classes) {
    node.classList.add(...classes);
    state.touched.push(node);
  }

  function select(index) {
    clearSelection();
    const entry = state.byIndex.get(index);
    if (!entry || !(entry.sentence.claim.flagged || entry.sentence.hedge.flagged)) {
      state.selected = null;
      renderSelection();
      return;
    }
    state.selected = index;
    $("article").classList.add("has-selection");
    $("title-view").classList.add("has-selection");
    touch(entry.el, "is-selected");
    entry.el.setAttribute("aria-current", "true");
    entry.el.dataset.badge = entry.sentence.claim.flagged ? "claim" : "caveat";
    const hedges = entry.sentence.claim.flagged ? caveatsOf(index) : [];
    const claims = entry.sentence.hedge.flagged ? state.hedgeToClaims.get(index) || [] : [];
    hedges.forEach((link, k) => {
      const other = state.byIndex.get(link.index);
      if (!other || link.index === index) return;
      touch(other.el, "is-linked");
      other.el.dataset.badge = hedges.length > 1 ? `caveat ${k + 1}` : "caveat";
    });
    claims.forEach((link, k) => {
      const other = state.byIndex.get(link.index);
      if (!other || link.index === index || other.el.classList.contains("is-linked")) return;
      touch(other.el, "is-linked");
      other.el.dataset.badge = claims.length > 1 ? `claim ${k + 1}` : "claim";
    });
    const item = $("claims-list").querySelector(`.claim-item[data-index="${index}"]`);
    if (item) touch(item, "is-current");
    renderSelection();
    saySelection(entry.sentence, hedges, claims);
  }

  // What a screen reader hears of a selection: a few words ("Claim, sentence 3: 2 caveats
  // linked"), not the panel's every caveat in full.
  function saySelection(sentence, hedges, claims) {
    const roles = [];
    const links = [];
    if (sentence.claim.flagged) {
      roles.push("claim");
      links.push(hedges.length ? `${plural(hedges.length, "caveat", "caveats")} linked`
        : "unqualified");
    }
    if (sentence.hedge.flagged) {
      roles.push("caveat");
      links.push(`qualifies ${plural(claims.length, "claim", "claims")}`);
    }
    const what = roles.join(" and ");
    const where = sentenceName(sentence.index).toLowerCase();
    $("selection-said").textContent =
      `${what[0].toUpperCase()}${what.slice(1)}, ${where}: ${links.join(", ")}`;
  }

  function unselect() {
    const was = state.selected;
    // The selection panel is about to be emptied: focus in it (Clear selection, a caveat's
    // button) goes back to the sentence, not to the top of the page.
    const focusWasInPanel = $("selection").contains(document.activeElement);
    clearSelection();
    state.selected = null;
    renderSelection();
    if (was !== null) $("selection-said").textContent = "Selection cleared.";
    const entry = was === null ? null : state.byIndex.get(was);
    if (entry && focusWasInPanel) entry.el.focus();
  }

  // Strongest link first (then text order): a claim's caveat in its own or the next sentence
  // before those that qualify it from far off in the story, which count weakly.
  function byStrength(links) {
    return [...links].sort((a, b) => b.strength - a.strength || a.index - b.index);
  }

  function linkList(links, kind) {
    const list = el("ul", "linked-list");
    list.dataset.testid = kind === "caveat" ? "caveat-list" : "qualified-claims";
    for (const link of byStrength(links)) {
      const other = state.byIndex.get(link.index);
      if (!other) continue;
      const li = el("li", "linked-item");
      li.dataset.index = String(link.index);
      const button = el("button", "caveat-button");
      button.type = "button";
      button.dataset.jump = String(link.index);
      const meta = el("span", "item-meta");
      meta.append(el("span", "item-where", link.index === state.selected
        ? "The same sentence" : sentenceName(link.index)));
      const strength = el("span", "strength", `link ${percent(link.strength)}`);
      strength.title = "How surely the caveat qualifies the claim: most in the same sentence, "
        + "least from far off in the story";
      meta.append(strength);
      const quote = el("span", "item-text");
      // The cues that do the qualifying, then the sentence they sit in.
      const label = kind === "caveat" ? "hedge" : "claim";
      const cues = other.sentence.cues.filter((c) => c.label === label);
      button.append(meta);
      if (cues.length) {
        // Each cue that does the qualifying (or the claiming), with its type.
        const rows = el("span", "cue-rows");
        for (const cue of cues) {
          const chip = cue.type ? el("span", "chip", cue.type) : el("span", "claim-word", "claim");
          if (cue.type) chip.dataset.type = cue.type;
          const mark = el("mark", null, cue.text);
          mark.dataset.label = cue.label;
          if (cue.type) mark.dataset.type = cue.type;
          const words = el("span");
          words.append(mark);
          rows.append(chip, words);
        }
        button.append(rows);
      }
      button.append(quote);
      quote.textContent = excerpt(other.text, 220);
      li.append(button);
      list.append(li);
    }
    return list;
  }

  function renderSelection() {
    const body = $("selection-body");
    const index = state.selected;
    $("selection").classList.toggle("is-active", index !== null);
    document.body.classList.toggle("has-drawer", index !== null);
    $("clear-selection").hidden = index === null;
    if (index === null) {
      body.replaceChildren(el("p", "muted",
        "Nothing selected yet. Pick a claim in the text or in the list below."));
      return;
    }
    const { sentence, text } = state.byIndex.get(index);
    const fragment = document.createDocumentFragment();
    const roles = el("p", "item-meta");
    roles.append(el("span", "item-where", sentenceName(index)));
    if (sentence.claim.flagged) {
      roles.append(el("span", "role-chip", `claim ${percent(sentence.claim.probability)}`));
      roles.lastChild.dataset.label = "claim";
    }
    if (sentence.hedge.flagged) {
      roles.append(el("span", "role-chip", `caveat ${percent(sentence.hedge.probability)}`));
      roles.lastChild.dataset.label = "hedge";
    }
    fragment.append(roles, el("blockquote", "selected-text", excerpt(text, 400)));
    if (sentence.claim.flagged) {
      const hedges = caveatsOf(index);
      if (hedges.length) {
        const heading = `Qualified by ${plural(hedges.length, "caveat", "caveats")}`;
        fragment.append(el("h4", null, heading));
        if (hedges.length > 1) fragment.append(el("p", "list-note", "Strongest link first."));
        fragment.append(linkList(hedges, "caveat"));
      } else {
        const note = el("p", "unqualified-note");
        note.append(el("strong", null, "Unqualified. "),
          "No caveat in the article qualifies this claim.");
        fragment.append(note);
      }
    }
    if (sentence.hedge.flagged) {
      const claims = state.hedgeToClaims.get(index) || [];
      fragment.append(el("h4", null, claims.length
        ? `Qualifies ${plural(claims.length, "claim", "claims")}`
        : "Qualifies no claim"));
      if (claims.length) fragment.append(linkList(claims, "claim"));
    }
    body.replaceChildren(fragment);
  }

  function reduceMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function reveal(index, focus) {
    const entry = state.byIndex.get(index);
    if (!entry) return;
    entry.el.scrollIntoView({ block: "center", behavior: reduceMotion() ? "auto" : "smooth" });
    entry.el.classList.remove("is-flash");
    // Restart the flash animation: reading offsetWidth forces the removed class to apply.
    void entry.el.offsetWidth;
    touch(entry.el, "is-flash");
    if (!isFlagged(entry.el)) return;
    // Where Tab comes back into the text: the sentence just shown.
    setCurrent(entry.el);
    if (focus) entry.el.focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------------------ tooltip

  function tipLines(target, keyboard) {
    const sentenceEl = target.closest(".sentence");
    const entry = sentenceEl ? state.byIndex.get(Number(sentenceEl.dataset.index)) : null;
    if (!entry) return null;
    const { sentence } = entry;
    const lines = [];
    if (target.tagName === "MARK") {
      if (target.dataset.label === "claim") {
        lines.push(["strong", "Claim cue"]);
        const p = percent(sentence.claim.probability);
        lines.push(["span", `Claim probability of the sentence: ${p}`]);
      } else {
        const type = target.dataset.type;
        lines.push(["strong", type ? `Caveat cue · ${type}` : "Caveat cue"]);
        if (type && TYPE_HELP[type]) lines.push(["span", TYPE_HELP[type]]);
        const p = percent(sentence.hedge.probability);
        lines.push(["span", `Caveat probability of the sentence: ${p}`]);
      }
    } else {
      const roles = [];
      if (sentence.claim.flagged) roles.push(`claim ${percent(sentence.claim.probability)}`);
      if (sentence.hedge.flagged) roles.push(`caveat ${percent(sentence.hedge.probability)}`);
      lines.push(["strong", `${sentenceName(sentence.index)}: ${roles.join(", ")}`]);
      if (sentence.hedge.flagged && sentence.hedge.types.length) {
        lines.push(["span", `Caveat types: ${sentence.hedge.types.join(", ")}`]);
      }
    }
    if (sentence.claim.flagged && target.dataset.label !== "hedge") {
      const n = caveatsOf(sentence.index).length;
      lines.push(["span", n ? `Qualified by ${plural(n, "caveat", "caveats")}` : "Unqualified"]);
    }
    lines.push(["em", keyboard
      ? "Press Enter to see the links. The arrow keys go to the next or previous highlight."
      : "Click to see the links"]);
    return lines;
  }

  // How long a pointer's tooltip waits, once the pointer has left its highlight, for the
  // pointer to reach it (WCAG 1.4.13: the pointer can move onto it to read it).
  const TIP_GRACE_MS = 400;

  // The tip sits right under the line of the highlight that the pointer is on (x, y), or
  // under the first line of the focused one: no gap of other text to cross to reach it.
  function showTip(target, x, y) {
    const lines = tipLines(target, x === undefined);
    if (!lines) return;
    cancelTipHide();
    const tip = $("tip");
    tip.replaceChildren(...lines.map(([tag, text]) => el(tag, null, text)));
    tip.hidden = false;
    state.tipTarget = target;
    const box = tip.getBoundingClientRect();
    const rects = Array.from(target.getClientRects());
    let rect = rects[0] || target.getBoundingClientRect();
    let left = rect.left;
    if (x !== undefined) {
      rect = rects.find((r) => y >= r.top && y <= r.bottom) || rect;
      left = x - 16;
    }
    let top = rect.bottom + 2;
    if (top + box.height > window.innerHeight - 8) top = rect.top - box.height - 2;
    left = Math.max(8, Math.min(left, document.documentElement.clientWidth - box.width - 8));
    top = Math.max(8, top);
    // Document coordinates: the tip stays by its mark when the page scrolls.
    tip.style.left = `${Math.round(left + window.scrollX)}px`;
    tip.style.top = `${Math.round(top + window.scrollY)}px`;
  }

  function hideTip() {
    cancelTipHide();
    $("tip").hidden = true;
    state.tipFor = null;
    state.tipTarget = null;
  }

  function cancelTipHide() {
    clearTimeout(state.tipHiding);
    state.tipHiding = 0;
  }

  // The pointer has left the highlight, maybe on its way to the tip: hide it a moment later.
  function hideTipSoon() {
    if (state.tipFor !== "pointer" || state.tipHiding) return;
    state.tipHiding = setTimeout(() => {
      state.tipHiding = 0;
      if (state.tipFor === "pointer") hideTip();
    }, TIP_GRACE_MS);
  }

  // Esc hides the tip where it is, the focus staying put (WCAG 1.4.13: dismissible). It
  // does not come back while the pointer stays on that highlight, nor for what the hidden
  // tip uncovers under a pointer that has not moved.
  function dismissTip() {
    if ($("tip").hidden) return;
    if (state.tipFor === "pointer") {
      state.tipDismissed = { target: state.tipTarget, ...state.pointer };
    }
    hideTip();
  }

  function isDismissed(target, event) {
    const gone = state.tipDismissed;
    return Boolean(gone) &&
      (target === gone.target || (event.clientX === gone.x && event.clientY === gone.y));
  }

  function wireTip() {
    const tip = $("tip");
    document.addEventListener("mousemove", (event) => {
      state.pointer = { x: event.clientX, y: event.clientY };
    }, { passive: true });
    tip.addEventListener("mouseenter", cancelTipHide);
    tip.addEventListener("mouseleave", (event) => {
      // Back onto its own highlight: that highlight's mouseover keeps it.
      if (tipTarget(event.relatedTarget) !== state.tipTarget) hideTipSoon();
    });
  }

  function tipTarget(node) {
    if (!(node instanceof Element)) return null;
    return node.closest("mark, .sentence.is-claim, .sentence.is-hedge");
  }

  // ------------------------------------------------------------------------------ export

  function analysisJson() {
    return `${JSON.stringify(state.analysis, null, 2)}\n`;
  }

  // Puts text on the clipboard; false when the browser blocked it.
  async function toClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // No async clipboard (a plain-http origin other than localhost): the older route.
      // Selecting the text box takes the focus; it goes back to where it was (the button
      // pressed), so that a keyboard user is not left at the top of the page.
      const back = document.activeElement;
      const area = el("textarea", "offscreen");
      area.value = text;
      area.setAttribute("readonly", "");
      document.body.append(area);
      area.select();
      const copied = document.execCommand("copy");
      area.remove();
      if (back instanceof HTMLElement) back.focus({ preventScroll: true });
      return copied;
    }
  }

  async function copyJson() {
    if (!state.analysis) return;
    setStatus(await toClipboard(analysisJson())
      ? "Copied the analysis as JSON."
      : "Could not copy: your browser blocked the clipboard. Use Download JSON instead.");
  }

  // The analysis shown, as plain text for a report: the balance as the panel shows it, each
  // claim with its caveats indented under it (strongest first, as the panel lists them), the
  // unqualified claims, then the caveats that qualify no claim.
  function reportText() {
    const flat = (s) => s.replace(/\s+/g, " ").trim();
    const line = (index, role) =>
      `${sentenceName(index)} (${role}): ${flat(state.byIndex.get(index).text)}`;
    const caveat = (index) => {
      const types = state.byIndex.get(index).sentence.hedge.types;
      return types.length ? `caveat: ${types.join(", ")}` : "caveat";
    };
    const headline = state.sent.title === undefined ? "" : `. Headline: ${flat(state.sent.title)}`;
    const first = `Balance: ${$("balance-label").textContent}, ` +
      `score ${$("balance-score").textContent}${headline}`;
    const qualified = [];
    const unqualified = [];
    for (const index of claimIndexes()) {
      const links = byStrength(caveatsOf(index)).filter((link) => state.byIndex.has(link.index));
      if (!links.length) {
        unqualified.push(line(index, "claim, unqualified"));
      } else {
        qualified.push(line(index, "claim"));
        for (const link of links) qualified.push(`    ${line(link.index, caveat(link.index))}`);
      }
    }
    const unlinked = [...state.byIndex.keys()].sort((a, b) => a - b)
      .filter((i) => state.byIndex.get(i).sentence.hedge.flagged && !state.hedgeToClaims.has(i))
      .map((i) => line(i, caveat(i)));
    const groups = [[first], qualified, unqualified];
    if (!qualified.length && !unqualified.length) {
      groups.push(["The article makes no optimistic claim."]);
    }
    if (unlinked.length) groups.push(["Caveats linked to no claim:", ...unlinked]);
    return `${groups.filter((g) => g.length).map((g) => g.join("\n")).join("\n\n")}\n`;
  }

  async function copyReport() {
    if (!state.analysis) return;
    const b = state.analysis.balance;
    setStatus(await toClipboard(reportText())
      ? `Copied the report as plain text: the balance, ${plural(b.claims, "claim", "claims")} ` +
        `and ${plural(b.hedges, "caveat", "caveats")}.`
      : "Could not copy the report: your browser blocked the clipboard.");
  }

  function downloadJson() {
    if (!state.analysis) return;
    const blob = new Blob([analysisJson()], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = el("a", "offscreen");
    link.href = url;
    link.download = "caveat-analysis.json";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setStatus("Downloaded the analysis as caveat-analysis.json.");
  }

  // ------------------------------------------------------------------------------ wiring

  function onTextClick(event) {
    const sentenceEl = event.target.closest(".sentence");
    if (!sentenceEl || !isFlagged(sentenceEl)) return;
    const index = Number(sentenceEl.dataset.index);
    if (state.selected === index) unselect();
    else select(index);
  }

  function onTextKey(event) {
    if (moveAmongHighlights(event)) return;
    if (event.key !== "Enter" && event.key !== " ") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const sentenceEl = event.target.closest(".sentence");
    if (!sentenceEl || !isFlagged(sentenceEl)) return;
    event.preventDefault();
    // Its tip ("Press Enter to see the links") has done its work: the panel shows them, and
    // the next Esc clears the selection.
    hideTip();
    select(Number(sentenceEl.dataset.index));
  }

  function wireText(container) {
    container.addEventListener("click", onTextClick);
    container.addEventListener("keydown", onTextKey);
    // A tip shown for the keyboard focus stays until the focus moves: the pointer resting
    // where a scroll brought other text under it must not take it away.
    container.addEventListener("mouseover", (event) => {
      const target = tipTarget(event.target);
      if (!target) {
        if (!isDismissed(null, event)) state.tipDismissed = null;
        hideTipSoon();
        return;
      }
      // The text moved under a pointer at rest (a scroll, the arrow keys, a selection's
      // badges): no new tip, which would cover the keyboard's and take an Esc of its own.
      // A real move reaches here before its mousemove updates state.pointer.
      if (event.clientX === state.pointer.x && event.clientY === state.pointer.y) {
        hideTipSoon();
        return;
      }
      cancelTipHide();
      if (isDismissed(target, event)) return;
      state.tipDismissed = null;
      // Already shown for it (the pointer came back from the tip): it stays where it is.
      if (target === state.tipTarget && state.tipFor === "pointer") return;
      showTip(target, event.clientX, event.clientY);
      state.tipFor = "pointer";
    });
    container.addEventListener("mouseleave", (event) => {
      if (!$("tip").contains(event.relatedTarget)) hideTipSoon();
    });
    container.addEventListener("focusin", (event) => {
      // However it got there (a click, an arrow key, Esc from the panel), Tab comes back here.
      if (event.target.matches(HIGHLIGHT)) setCurrent(event.target);
      const target = tipTarget(event.target);
      // Keyboard focus only: a click focuses the sentence too, and the pointer has its own tip.
      if (!target || !event.target.matches(":focus-visible")) return;
      target.setAttribute("aria-describedby", "tip");
      showTip(target);
      state.tipFor = "focus";
    });
    container.addEventListener("focusout", (event) => {
      if (event.target instanceof Element) event.target.removeAttribute("aria-describedby");
      hideTip();
    });
  }

  // The focus follows to the sentence shown: the button pressed is scrolled off screen, and
  // a screen reader then reads where the user now is.
  function onSideClick(event) {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.select !== undefined) {
      const index = Number(button.dataset.select);
      select(index);
      reveal(index, true);
    } else if (button.dataset.jump !== undefined) {
      const claim = button.dataset.claim;
      if (claim !== undefined && state.selected !== Number(claim)) select(Number(claim));
      reveal(Number(button.dataset.jump), true);
    }
  }

  function updateCount() {
    const form = $("analyze-form");
    const maxChars = Number(form.dataset.maxChars) || 100000;
    const n = codePointLength(strip(wellFormed($("text").value)));
    const count = $("char-count");
    count.textContent = n.toLocaleString("en");
    count.classList.toggle("over", n > maxChars);
  }

  function clearAll() {
    if (state.pending) {
      // An analysis under way would bring the cleared text back: drop it.
      state.pending.abort();
      state.pending = null;
      setBusy(false);
    }
    // The draft is kept here, in the page's memory only, for Undo (nothing is stored).
    if ($("text").value || $("title").value) {
      const shown = state.analysis && !$("result").hidden;
      state.undo = {
        text: $("text").value,
        title: $("title").value,
        analysis: shown ? state.analysis : null,
        sent: shown ? state.sent : null,
      };
    }
    $("text").value = "";
    $("title").value = "";
    state.analysis = null;
    state.sent = null;
    state.byIndex = new Map();
    state.selected = null;
    state.touched = [];
    state.highlights = [];
    state.current = null;
    $("article").replaceChildren();
    $("title-view").replaceChildren();
    $("claims-list").replaceChildren();
    hideResult();
    clearError();
    setStatus("Cleared.");
    $("undo-clear").hidden = !state.undo;
    updateCount();
    $("text").focus();
  }

  // Puts back what Clear removed: the headline, the article and the analysis shown.
  function undoClear() {
    const undo = state.undo;
    dropUndo();
    if (!undo) return;
    $("text").value = undo.text;
    $("title").value = undo.title;
    updateCount();
    setStatus("Restored the cleared text.");
    if (undo.analysis) {
      render(undo.analysis, undo.sent);
      checkStale();
    }
    $("text").focus();
  }

  function dropUndo() {
    state.undo = null;
    $("undo-clear").hidden = true;
  }

  function init() {
    const form = $("analyze-form");
    form.addEventListener("submit", analyze);
    $("clear").addEventListener("click", clearAll);
    $("undo-clear").addEventListener("click", undoClear);
    let countQueued = false;
    $("text").addEventListener("input", () => {
      dropUndo();
      if (countQueued) return;
      countQueued = true;
      requestAnimationFrame(() => {
        countQueued = false;
        updateCount();
        checkStale();
      });
    });
    $("title").addEventListener("input", () => {
      dropUndo();
      checkStale();
    });
    // Nothing is stored, so a reload or a closed tab loses the draft (or the cleared one
    // that Undo would bring back): ask first.
    window.addEventListener("beforeunload", (event) => {
      if (strip($("text").value) || state.undo) event.preventDefault();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        analyze();
      } else if (event.key === "Escape") {
        // One thing at a time: the tip first; and never the selection from a text box,
        // where Esc belongs to the typing.
        if (!$("tip").hidden) dismissTip();
        else if (state.selected !== null && !INPUTS.includes(event.target.id)) unselect();
      }
    });
    wireText($("article"));
    wireText($("title-view"));
    wireTip();
    $("selection").addEventListener("click", onSideClick);
    $("claims-list").addEventListener("click", onSideClick);
    $("only-unqualified").addEventListener("change", (event) => {
      $("claims-list").classList.toggle("only-unqualified", event.target.checked);
    });
    $("clear-selection").addEventListener("click", unselect);
    $("copy-json").addEventListener("click", copyJson);
    $("copy-report").addEventListener("click", copyReport);
    $("download-json").addEventListener("click", downloadJson);
    document.querySelector(".reader .skip-link").addEventListener("click", (event) => {
      event.preventDefault();
      // The first claim shown ("Only unqualified" hides some); with none, the list's heading.
      const buttons = $("claims-list").querySelectorAll(".claim-button");
      const first = Array.from(buttons).find((button) => button.getClientRects().length);
      (first || $("claims-heading")).focus();
    });
    updateCount();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
