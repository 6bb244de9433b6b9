// The fact-checker page: POST the article to /v1/analyze and show the result.
// User text is only ever put into the page with textContent, never as HTML.
"use strict";

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// The sentence's text with its cues wrapped in <mark>; cue offsets index the
// submitted text (or the title), the sentence starts at sentence.start.
function highlighted(sentence) {
  const item = el("li");
  const cues = [...sentence.cues].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const cue of cues) {
    const start = cue.start - sentence.start;
    const end = cue.end - sentence.start;
    if (start < at) continue; // overlapping cue: the first one shown wins
    item.append(document.createTextNode(sentence.text.slice(at, start)));
    const mark = el("mark", sentence.text.slice(start, end), cue.label);
    mark.title = cue.type ? `${cue.label}: ${cue.type}` : cue.label;
    item.append(mark);
    at = end;
  }
  item.append(document.createTextNode(sentence.text.slice(at)));
  const labels = [];
  if (sentence.claim.flagged) labels.push("claim");
  if (sentence.hedge.flagged) labels.push(`hedge (${sentence.hedge.types.join(", ")})`);
  if (labels.length) item.append(el("span", labels.join(" · "), "labels"));
  return item;
}

function render(analysis) {
  const b = analysis.balance;
  const score = b.score === null ? "no score" : `score ${b.score.toFixed(2)}`;
  document.getElementById("balance").textContent =
    `${b.label} (${score}): ${b.summary}`;
  const list = document.getElementById("sentences");
  list.replaceChildren();
  if (analysis.title) {
    const title = highlighted(analysis.title);
    title.classList.add("title");
    list.append(title);
  }
  for (const sentence of analysis.sentences) list.append(highlighted(sentence));
  document.getElementById("result").hidden = false;
}

async function analyze(event) {
  event.preventDefault();
  const status = document.getElementById("status");
  const button = document.getElementById("analyze");
  const title = document.getElementById("title").value;
  const body = { text: document.getElementById("text").value };
  if (title.trim()) body.title = title;
  status.className = "";
  status.textContent = "Analysing…";
  button.disabled = true;
  try {
    const response = await fetch("/v1/analyze", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      const details = Object.entries(data.error.details || {})
        .map(([field, m]) => `${field}: ${Array.isArray(m) ? m.join(" ") : JSON.stringify(m)}`)
        .join("; ");
      throw new Error(details ? `${data.error.message} (${details})` : data.error.message);
    }
    render(data);
    status.textContent = "";
  } catch (error) {
    status.className = "error";
    status.textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("analyze-form").addEventListener("submit", analyze);
});
