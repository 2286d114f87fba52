// The dashboard: a client of the control API (/_testbed/...) and nothing else. It polls every second (no open
// connection per page), sends the selected seller with every call that reads or changes a seller's data, and shows
// the API's own error message when a call is refused.
"use strict";

const API = "/_testbed";
const POLL_MS = 1000;
const PAGE = 25;
const TAIL = 200;

const state = {
  seller: null, counts: null, tailSince: 0, tailFilter: {}, listAfter: [""], busy: false, locked: false,
  entity: null,
};

const $ = (selector) => document.querySelector(selector);

class ApiError extends Error {
  constructor(status, body) {
    const first = (body && body.errors && body.errors[0]) || {};
    super(first.message || `HTTP ${status}`);
    this.status = status;
    this.code = first.code || String(status);
  }
}

async function call(method, path, body) {
  const options = {method, headers: {}, credentials: "same-origin"};
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, options);
  const data = await response.json().catch(() => null);
  if (response.status === 401) askForToken();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

function seller(extra) { return query({seller_id: state.seller, ...(extra || {})}); }

function text(value) { return value === null || value === undefined ? "" : String(value); }

function row(cells, attrs) {
  const tr = document.createElement("tr");
  for (const [key, value] of Object.entries(attrs || {})) tr.dataset[key] = value;
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = text(cell);
    tr.appendChild(td);
  }
  return tr;
}

function button(label, onClick, attrs) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  for (const [key, value] of Object.entries(attrs || {})) b.dataset[key] = value;
  b.addEventListener("click", onClick);
  return b;
}

function link(label, onClick) {
  const a = document.createElement("a");
  a.href = "#";
  a.textContent = label;
  a.addEventListener("click", (event) => { event.preventDefault(); onClick(); });
  return a;
}

function say(element, message, isError) {
  element.textContent = message;
  element.classList.toggle("error", Boolean(isError));
}

function shortTime(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "Z") : ""; }

// the control token ------------------------------------------------------------------------------------------------
function askForToken() {
  state.locked = true;
  $("#token-form").hidden = false;
  $("#main").classList.add("locked");
}

$("#token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch(API + "/session", {method: "POST", credentials: "same-origin",
                                                  headers: {"x-testbed-token": $("#token").value}});
  if (response.status !== 200) {
    const body = await response.json().catch(() => null);
    say($("#token-error"), new ApiError(response.status, body).message, true);
    return;
  }
  $("#token").value = "";
  say($("#token-error"), "");
  $("#token-form").hidden = true;
  $("#main").classList.remove("locked");
  state.locked = false;
  await start();
});

// sellers ----------------------------------------------------------------------------------------------------------
async function loadSellers() {
  const {sellers} = await call("GET", "/sellers");
  const select = $("#seller");
  select.replaceChildren(...sellers.map((s) => new Option(s.seller_id, s.seller_id)));
  if (!sellers.some((s) => s.seller_id === state.seller)) state.seller = sellers.length ? sellers[0].seller_id : null;
  select.value = state.seller || "";
}

$("#seller").addEventListener("change", () => {
  state.seller = $("#seller").value;
  state.tailSince = 0;
  $("#journal tbody").replaceChildren();
  $("#entity-section").hidden = true;
  resetList();
  refresh();
});

// the clock --------------------------------------------------------------------------------------------------------
async function showClock() {
  const clock = await call("GET", "/clock");
  $("#clock-now").textContent = shortTime(clock.now);
  $("#clock-scale").textContent = clock.scale === null ? "virtual (moves when advanced)" : clock.scale + "×";
  $("#clock-paused").textContent = clock.paused ? "paused" : "running";
  $("#clock-next").textContent = clock.next_due === null ? "none" : new Date(clock.next_due * 1000).toISOString()
    .replace("T", " ").replace(".000", "");
}

async function clockAction(element, action) {
  try {
    say(element, (await action()) || "");
  } catch (error) {
    say(element, `${error.code}: ${error.message}`, true);
  }
  await refresh();
}

$("#pause").addEventListener("click", () => clockAction($("#clock-result"),
  () => call("PUT", "/clock", {paused: true})));
$("#resume").addEventListener("click", () => clockAction($("#clock-result"),
  () => call("PUT", "/clock", {paused: false})));
$("#scale-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = event.target.scale.value;
  clockAction($("#clock-result"), () => call("PUT", "/clock", {scale: value === "" ? null : Number(value)}));
});
$("#jump-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const seconds = Number(event.target.amount.value) * Number(event.target.unit.value);
  clockAction($("#clock-result"), async () => {
    const result = await call("POST", "/clock/advance", {seconds});
    return `now ${shortTime(result.now)}, ${result.timers_run} timers ran`;
  });
});

// the live world, when there is one --------------------------------------------------------------------------------
async function showWorld() {
  try {
    const world = await call("GET", "/world");
    const placed = Object.entries(world.orders_placed).map(([k, v]) => `${k} ${v}`).join(", ");
    $("#world-line").textContent = `scenario ${world.scenario} · lag p50 ${world.lag_seconds.p50.toFixed(1)} s · ` +
      `placed: ${placed || "none"}`;
  } catch (error) {
    $("#world-line").textContent = error.status === 404 ? "no live world (plain mock)" : "";
  }
}

// counts by lifecycle state ----------------------------------------------------------------------------------------
async function showCounts() {
  if (!state.seller) return;
  const {counts} = await call("GET", "/counts" + seller());
  state.counts = counts;
  const boxes = Object.entries(counts).map(([kind, count]) => {
    const box = document.createElement("div");
    box.className = "count-box";
    box.dataset.kind = kind;
    const title = document.createElement("h3");
    title.textContent = `${count.label}s · ${count.total}`;
    const table = document.createElement("table");
    for (const [status, n] of Object.entries(count.states)) {
      const tr = row([link(status, () => showList(kind, status)), n], {status});
      tr.querySelector("td:last-child").className = "number";
      if (n === 0) tr.classList.add("zero");
      table.appendChild(tr);
    }
    box.append(title, table);
    return box;
  });
  $("#counts").replaceChildren(...boxes);
  const kinds = $("#list-kind");
  if (!kinds.options.length) {
    kinds.replaceChildren(...Object.entries(counts).map(([kind, c]) => new Option(c.label + "s", kind)));
    fillStates();
  }
}

function fillStates() {
  const count = state.counts && state.counts[$("#list-kind").value];
  const options = [new Option("any state", "")];
  if (count) options.push(...Object.keys(count.states).map((s) => new Option(s, s)));
  $("#list-status").replaceChildren(...options);
}
$("#list-kind").addEventListener("change", fillStates);

// the paged list of records ----------------------------------------------------------------------------------------
function resetList() { state.listAfter = [""]; }

async function showList(kind, status) {
  if (kind !== undefined) {
    $("#list-kind").value = kind;
    fillStates();
    $("#list-status").value = status || "";
    resetList();
  }
  const page = state.listAfter.length - 1;
  const params = {kind: $("#list-kind").value, status: $("#list-status").value, after: state.listAfter[page]};
  try {
    const found = await call("GET", `/records/${params.kind}` + seller({status: params.status, after: params.after,
                                                                           limit: PAGE}));
    state.listNext = found.next;
    $("#list tbody").replaceChildren(...found.records.map((r) => row(
      [link(r.id, () => showEntity(params.kind, r.id)), r.status, shortTime(r.updated ? new Date(r.updated * 1000)
        .toISOString() : "")], {id: r.id})));
    $("#list-page").textContent = `page ${page + 1}` + (found.records.length ? "" : " (none)");
    $("#list-next").disabled = !found.next;
  } catch (error) {
    $("#list-page").textContent = error.message;
  }
}

$("#list-form").addEventListener("submit", (event) => { event.preventDefault(); resetList(); showList(); });
$("#list-first").addEventListener("click", () => { resetList(); showList(); });
$("#list-next").addEventListener("click", () => {
  if (state.listNext) { state.listAfter.push(state.listNext); showList(); }
});

// one record: its history and the calls that named it --------------------------------------------------------------
async function showEntity(kind, id) {
  state.entity = {kind, id};
  const found = await call("GET", `/records/${kind}/${encodeURIComponent(id)}` + seller());
  $("#entity-section").hidden = false;
  $("#entity-title").textContent = `${kind} ${id} · ${found.status || ""}`;
  $("#entity-history tbody").replaceChildren(...found.history.map((h) => row(
    [shortTime(h.time), h.from, h.to, h.trigger])));
  $("#entity-calls tbody").replaceChildren(...found.calls.map((c) => row(
    [link(c.id, () => showExchange(c.id)), shortTime(c.time), c.operation, c.status])));
  $("#entity-record").textContent = JSON.stringify(found.record, null, 2);
  $("#entity-scanned").textContent = `(the journal searched from entry ${found.calls_scanned_from_id} on)`;
}

// actions ----------------------------------------------------------------------------------------------------------
function integer(value) { return value === "" ? null : Number(value); }

const ACTIONS = {
  "place-order": (f) => call("POST", "/orders", {seller_id: state.seller, channel: f.channel.value,
    lines: [{sku: f.sku.value, quantity: integer(f.quantity.value)}]}).then((r) => `order ${r.order_id}: ${r.status}`),
  "webstore-order": (f) => call("POST", "/world/webstore-orders", {sku: f.sku.value,
    quantity: integer(f.quantity.value)}).then((r) => `webstore order ${r.id}: ${r.status}`),
  "flex-shipment": (f) => call("POST", "/external-fulfillment/shipments", {seller_id: state.seller,
    location_id: f.location_id.value, lines: [{sku: f.sku.value, units: integer(f.units.value)}]})
    .then((r) => `shipment ${r.shipment_id}: ${r.status}`),
  "start-return": (f) => call("POST", "/external-fulfillment/returns", {seller_id: state.seller,
    shipment_id: f.shipment_id.value, return_type: f.return_type.value})
    .then((r) => `return ${r.return_id}: ${r.status}`),
  "set-stock": (f) => call("PUT", "/inventory", {seller_id: state.seller, sku: f.sku.value, channel: f.channel.value,
    locations: {[f.location.value]: {sellable: integer(f.sellable.value), unsellable: integer(f.unsellable.value)}}})
    .then((r) => `${r.sku}: ` + r.positions.map((p) => `${p.location} ${p.sellable} sellable`).join(", ")),
  "customer-cancel": (f) => call("POST", `/external-fulfillment/shipments/${encodeURIComponent(f.shipment_id.value)}` +
    "/cancel", {seller_id: state.seller, reason: f.reason.value}).then((r) => `shipment ${r.shipment_id}: ${r.status}`),
};

for (const form of document.querySelectorAll("form[data-action]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = form.querySelector(".result");
    try {
      say(result, await ACTIONS[form.dataset.action](form));
    } catch (error) {
      say(result, `${error.code}: ${error.message}`, true);
    }
    await refresh();
  });
}

// rate limits and faults -------------------------------------------------------------------------------------------
async function showLimits() {
  if (!state.seller) return;
  const limits = await call("GET", "/rate-limits" + seller());
  const rows = limits.buckets.map((b) => {
    const meter = document.createElement("meter");
    meter.max = b.burst;
    meter.value = b.tokens;
    const tokens = document.createElement("span");
    tokens.append(meter, ` ${b.tokens.toFixed(1)}`);
    const throttled = limits.throttled[b.operation_id];
    return row([b.operation_id, tokens, b.rate, b.burst, throttled ? throttled.count : 0], {operation: b.operation_id});
  });
  for (const [operation, throttled] of Object.entries(limits.throttled)) {
    if (!limits.buckets.some((b) => b.operation_id === operation)) rows.push(row([operation, "", "", "", throttled.count]));
  }
  $("#buckets tbody").replaceChildren(...rows);
  const recent = await call("GET", "/traffic" + seller({status: 429, newest: "true", limit: 10}));
  $("#throttled tbody").replaceChildren(...recent.traffic.reverse().map((entry) => row(
    [link(entry.id, () => showExchange(entry.id)), shortTime(entry.time), entry.operation], {id: entry.id})));
}

async function showFaults() {
  const {faults} = await call("GET", "/faults");
  state.faults = faults;
  $("#faults tbody").replaceChildren(...faults.map((rule, index) => row([rule.operation,
    [rule.status && `status ${rule.status}`, rule.latency && `latency ${rule.latency} s`, rule.timeout && "timeout",
     rule.count !== null && `${rule.count} left`].filter(Boolean).join(", "),
    button("Switch off", () => setFaults(state.faults.filter((_, i) => i !== index)), {operation: rule.operation})],
  {operation: rule.operation})));
}

async function setFaults(rules) {
  const result = $("#fault-form .result");
  try {
    await call("PUT", "/faults", {faults: rules});
    say(result, "");
  } catch (error) {
    say(result, `${error.code}: ${error.message}`, true);
  }
  await showFaults();
}

$("#fault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = event.target;
  setFaults([...(state.faults || []), {operation: f.operation.value, status: Number(f.status.value)}]);
});

async function loadOperations() {
  const {operations} = await call("GET", "/operations");
  $("#operations").replaceChildren(...[...new Set(operations.map((o) => o.operation))].sort()
    .map((name) => new Option(name)));
}

// the journal's live tail ------------------------------------------------------------------------------------------
function harLink() {
  $("#har").href = API + "/traffic.har" + seller({...state.tailFilter, newest: "true", limit: 1000});
}

async function showTail() {
  if (!state.seller || $("#journal-hold").checked) return;
  const params = {...state.tailFilter, since_id: state.tailSince, limit: TAIL, newest: "true"};
  const {traffic} = await call("GET", "/traffic" + seller(params));
  if (!traffic.length) return;
  state.tailSince = traffic[traffic.length - 1].id;
  const body = $("#journal tbody");
  for (const entry of traffic) {
    const tr = row([link(entry.id, () => showExchange(entry.id)), shortTime(entry.time), entry.operation, entry.method,
                    entry.path + (entry.query ? "?" + entry.query : ""), entry.status, entry.latency_ms],
                   {id: entry.id, status: entry.status});
    tr.className = `status-${String(entry.status)[0]}xx` + (entry.fault ? " fault" : "");
    body.insertBefore(tr, body.firstChild);
  }
  while (body.children.length > TAIL) body.removeChild(body.lastChild);
}

$("#journal-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = event.target;
  const status = f.status.value.trim();
  state.tailFilter = {operation: f.operation.value.trim(), status};
  state.tailSince = 0;
  $("#journal tbody").replaceChildren();
  harLink();
  showTail().then(() => say(f.querySelector(".result"), ""),
                  (error) => say(f.querySelector(".result"), `${error.code}: ${error.message}`, true));
});

function side(message) {
  // the journal's form of one side: {headers: [[name, value]], mime_type, size, text, truncated, encoding}
  if (!message) return "(bodies were not kept)";
  const headers = (message.headers || []).map(([name, value]) => `${name}: ${value}`).join("\n");
  let body = message.text || "";
  if (message.encoding === "base64") body = `(${message.size} bytes, base64)\n${body}`;
  else { try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (_) { /* not JSON: as it came */ } }
  return `${headers}\n\n${body}${message.truncated ? "\n(truncated)" : ""}`;
}

async function showExchange(id) {
  const entry = await call("GET", `/traffic/${id}`);
  $("#exchange").hidden = false;
  $("#exchange-id").textContent = `${entry.id} · ${entry.method} ${entry.path} → ${entry.status}`;
  $("#exchange-request").textContent = side(entry.request);
  $("#exchange-response").textContent = side(entry.response);
}

// snapshots --------------------------------------------------------------------------------------------------------
async function showSnapshots() {
  const {snapshots} = await call("GET", "/snapshots");
  $("#snapshots tbody").replaceChildren(...snapshots.map((s) => row([s.name, shortTime(s.time),
    button("Restore", () => snapshotAction(() => call("POST", `/snapshots/${encodeURIComponent(s.name)}/restore`),
                                           `restored ${s.name}`), {name: s.name})], {name: s.name})));
}

async function snapshotAction(action, done) {
  const result = $("#snapshot-form .result");
  try {
    await action();
    say(result, done);
  } catch (error) {
    say(result, `${error.code}: ${error.message}`, true);
  }
  state.tailSince = 0;
  $("#journal tbody").replaceChildren();
  await loadSellers();
  await showSnapshots();
  await refresh();
}

$("#snapshot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = event.target.name.value;
  snapshotAction(() => call("POST", "/snapshots", {name}), `saved ${name}`);
});

// the judge's verdict ----------------------------------------------------------------------------------------------
$("#verdict-load").addEventListener("click", async () => {
  say($("#verdict-result"), "judging…");
  try {
    const verdict = await call("GET", "/verdict");
    const c = verdict.counts;
    say($("#verdict-result"), `${c.passed} passed, ${c.failed} failed, ${c["not judged"] ?? 0} not judged`);
    $("#verdict tbody").replaceChildren(...verdict.checks.map((check) => row([check.id, check.result, check.summary],
      {result: check.result})));
  } catch (error) {
    say($("#verdict-result"), `${error.code}: ${error.message}`, true);
  }
});

// polling ----------------------------------------------------------------------------------------------------------
async function refresh() {
  if (state.locked) return;
  try {
    await Promise.all([showClock(), showCounts(), showLimits(), showTail(), showFaults()]);
    say($("#connection"), "");
  } catch (error) {
    if (!state.locked) say($("#connection"), `${error.code}: ${error.message}`, true);
  }
}

async function tick() {
  if (!state.busy) {
    state.busy = true;
    try { await refresh(); } finally { state.busy = false; }
  }
  setTimeout(tick, POLL_MS);
}

async function start() {
  try {
    await loadSellers();
    harLink();
    await Promise.all([loadOperations(), showSnapshots(), showWorld()]);
    await refresh();
    await showList();
  } catch (error) {
    if (!state.locked) say($("#connection"), `${error.code}: ${error.message}`, true);
  }
}

async function slowTick() {
  // the world's line, the list's current page and the open record, every five seconds
  if (state.locked) return;
  try {
    await Promise.all([showWorld(), showList(),
                       state.entity ? showEntity(state.entity.kind, state.entity.id) : Promise.resolve()]);
  } catch (error) {
    say($("#connection"), `${error.code}: ${error.message}`, true);
  }
}

start().then(() => { setTimeout(tick, POLL_MS); setInterval(slowTick, 5 * POLL_MS); });
