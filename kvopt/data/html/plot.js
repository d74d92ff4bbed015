// kvopt schedule page: Gantt chart above the memory profile, one column per schedule,
// one shared time axis. Hand-written, no library; the data is the JSON in #kvopt-data,
// written by kvopt/plot_html.py from the verifier's report. Rounds: a run (start, end)
// covers [start, end] on the axis and holds prompt + j tokens in its j-th round.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("kvopt-data").textContent);
  var COLORS = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
    "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f",
    "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"];
  var WAIT = "#d9d9d9", RUN = "#3b75af", EVICT = "#e1812c", LIMIT = "#c0392b";
  var MEM = "#7fa7cf", MEAN = "#1f3b57", OVER = "#e74c3c";
  var PAD = { left: 64, right: 12, top: 8, bottom: 26 };
  var n = D.ids.length;
  var view = { t0: 0, t1: D.horizon * 1.01 + 0.2 };
  var hover = null; // {t, request}
  var charts = [];

  function color(i) { return COLORS[(2 * i) % 20 + (Math.floor(i / 10) % 2)]; }

  // -- data per schedule -------------------------------------------------------------
  function prepare(s) {
    s.arrival = s.arrival || D.arrival;
    s.end = new Array(n);
    s.lo = new Array(n);
    s.hi = new Array(n);
    s.evByRequest = new Array(n);
    var i, k, lastEnd = new Array(n);
    for (i = 0; i < n; i++) {
      s.end[i] = s.start[i] >= 0 ? s.start[i] + D.output[i] : -1;
      s.lo[i] = s.arrival[i];
      if (s.start[i] >= 0 && s.start[i] < s.lo[i]) s.lo[i] = s.start[i];
      lastEnd[i] = s.end[i];
      s.evByRequest[i] = [];
    }
    for (k = 0; k < s.ev_request.length; k++) {
      i = s.ev_request[k];
      s.evByRequest[i].push(k);
      if (s.ev_start[k] < s.lo[i]) s.lo[i] = s.ev_start[k];
      if (s.ev_end[k] > lastEnd[i]) lastEnd[i] = s.ev_end[k];
    }
    for (i = 0; i < n; i++) s.hi[i] = s.start[i] >= 0 ? Math.max(s.end[i], lastEnd[i]) : D.horizon;
    // requests of each lane, sorted by the start of their span (for hovering)
    s.lanes = [];
    for (i = 0; i < s.rows; i++) s.lanes.push([]);
    for (i = 0; i < n; i++) s.lanes[s.row[i]].push(i);
    s.lanes.forEach(function (l) { l.sort(function (a, b) { return s.lo[a] - s.lo[b]; }); });
    var m = s.memory, w = m.width;
    s.memEdge = function (k) { return Math.min(k * w, m.rounds); };
    if (D.detailed) bands(s);
  }

  // Detailed view: one memory band per run, stacked in request order; they must add up
  // to the verifier's profile (a failed check is a console error, caught by the tests).
  function bands(s) {
    var T = s.memory.rounds, runs = [], i, k;
    if (s.memory.width !== 1 || n * T > 4000000) return;
    for (i = 0; i < n; i++) {
      s.evByRequest[i].forEach(function (k) {
        runs.push({ i: i, a: s.ev_start[k], b: s.ev_end[k], ev: true });
      });
      if (s.start[i] >= 0) runs.push({ i: i, a: s.start[i], b: s.end[i], ev: false });
    }
    var total = new Array(T).fill(0);
    runs.forEach(function (r) {
      for (var t = r.a + 1; t <= Math.min(r.b, T); t++) total[t - 1] += D.prompt[r.i] + t - r.a;
    });
    for (k = 0; k < T; k++) {
      if (total[k] !== s.memory.values[k]) {
        console.error("kvopt: memory bands do not add up to the verifier's profile in round " +
          (k + 1) + " of " + s.label);
        return;
      }
    }
    s.bands = runs;
  }

  // -- axes --------------------------------------------------------------------------
  function ticks(lo, hi, count) {
    var span = Math.max(hi - lo, 1e-9), step = Math.pow(10, Math.floor(Math.log10(span / count)));
    [1, 2, 5, 10].some(function (f) { if (span / (f * step) <= count) { step *= f; return true; } });
    step = Math.max(1, step);
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
    return out;
  }

  function frame(ch) {
    var c = ch.canvas, dpr = window.devicePixelRatio || 1;
    var w = Math.max(200, c.clientWidth), h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      ch.base.width = c.width;
      ch.base.height = c.height;
    }
    ch.dpr = dpr;
    ch.w = w;
    ch.h = h;
    ch.pw = w - PAD.left - PAD.right;
    ch.ph = h - PAD.top - PAD.bottom;
  }

  function xOf(ch, t) { return PAD.left + (t - view.t0) / (view.t1 - view.t0) * ch.pw; }
  function tOf(ch, x) { return view.t0 + (x - PAD.left) / ch.pw * (view.t1 - view.t0); }

  function timeAxis(ch, g) {
    g.fillStyle = "#333";
    g.strokeStyle = "#999";
    g.font = "11px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "top";
    var y = PAD.top + ch.ph;
    g.beginPath();
    g.moveTo(PAD.left, y + 0.5);
    g.lineTo(PAD.left + ch.pw, y + 0.5);
    ticks(Math.max(0, view.t0), view.t1, Math.max(2, ch.pw / 70)).forEach(function (t) {
      var x = Math.round(xOf(ch, t)) + 0.5;
      if (x < PAD.left - 1 || x > PAD.left + ch.pw + 1) return;
      g.moveTo(x, y);
      g.lineTo(x, y + 4);
      g.fillText(String(t), x, y + 6);
    });
    g.stroke();
  }

  function hatch(g, x, y, w, h) {
    g.save();
    g.beginPath();
    g.rect(x, y, w, h);
    g.clip();
    g.strokeStyle = "rgba(0,0,0,0.55)";
    g.lineWidth = 1;
    g.beginPath();
    for (var d = -h; d < w; d += 5) {
      g.moveTo(x + d, y + h);
      g.lineTo(x + d + h, y);
    }
    g.stroke();
    g.restore();
  }

  // -- Gantt chart ---------------------------------------------------------------------
  function drawGantt(ch) {
    var s = ch.s, g = ch.base.getContext("2d"), rows = D.detailed ? n : s.rows;
    g.setTransform(ch.dpr, 0, 0, ch.dpr, 0, 0);
    g.clearRect(0, 0, ch.w, ch.h);
    var rh = ch.ph / Math.max(rows, 1);
    ch.rh = rh;
    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top, ch.pw, ch.ph);
    g.clip();
    var bar = D.detailed ? Math.max(1, rh * 0.7) : (rh > 4 ? rh * 0.85 : Math.max(1, rh));
    var off = rh > 4 ? (rh - bar) / 2 : 0, last = null;
    function box(i, a, b, fill) {
      var x0 = xOf(ch, a), x1 = xOf(ch, b);
      if (x1 < PAD.left || x0 > PAD.left + ch.pw) return null;
      var y = PAD.top + (D.detailed ? i : s.row[i]) * rh + off;
      if (fill !== last) { g.fillStyle = fill; last = fill; } // setting it costs
      g.fillRect(x0, y, Math.max(x1 - x0, 1), bar);
      return [x0, y, Math.max(x1 - x0, 1), bar];
    }
    var i;
    for (i = 0; i < n; i++) box(i, s.lo[i], s.hi[i], WAIT);
    for (i = 0; i < n; i++) if (s.start[i] >= 0) box(i, s.start[i], s.end[i], D.detailed ? color(i) : RUN);
    for (var k = 0; k < s.ev_request.length; k++) {
      i = s.ev_request[k];
      var r = box(i, s.ev_start[k], s.ev_end[k], D.detailed ? color(i) : EVICT);
      if (r && !D.detailed && (r[2] < 3 || r[3] < 3)) { // keep every eviction visible
        g.fillRect(r[0] + r[2] / 2 - 1.5, r[1] + r[3] / 2 - 1.5, Math.max(r[2], 3), Math.max(r[3], 3));
      }
      if (r && D.detailed) {
        g.fillStyle = "rgba(255,255,255,0.35)";
        g.fillRect(r[0], r[1], r[2], r[3]);
        hatch(g, r[0], r[1], r[2], r[3]);
        g.strokeStyle = "#000";
        g.strokeRect(r[0] + 0.5, r[1] + 0.5, r[2] - 1, r[3] - 1);
        last = null;
      }
    }
    g.restore();
    if (D.detailed) {
      g.save(); // arrival and completion markers may stick out a little (as in the picture)
      g.beginPath();
      g.rect(PAD.left - 8, PAD.top, ch.pw + 16, ch.ph);
      g.clip();
      markers(ch, g, rh);
      g.restore();
    }
    laneLabels(ch, g, rows, rh);
    timeAxis(ch, g);
  }

  function markers(ch, g, rh) {
    var s = ch.s, size = Math.min(6, Math.max(3, rh * 0.3));
    g.fillStyle = "#000";
    g.strokeStyle = "#000";
    g.lineWidth = 1.6;
    for (var i = 0; i < n; i++) {
      var y = PAD.top + (i + 0.5) * rh, x = xOf(ch, s.arrival[i]);
      g.beginPath(); // arrival: a triangle pointing right
      g.moveTo(x - size, y - size);
      g.lineTo(x + size * 0.6, y);
      g.lineTo(x - size, y + size);
      g.fill();
      if (s.start[i] >= 0) { // completion: a bar
        x = Math.round(xOf(ch, s.end[i])) + 0.5;
        g.beginPath();
        g.moveTo(x, y - rh * 0.45);
        g.lineTo(x, y + rh * 0.45);
        g.stroke();
      }
    }
    g.lineWidth = 1;
  }

  function laneLabels(ch, g, rows, rh) {
    g.fillStyle = "#333";
    g.font = "11px sans-serif";
    g.textAlign = "right";
    g.textBaseline = "middle";
    if (D.detailed) {
      var every = Math.max(1, Math.ceil(12 / rh));
      for (var i = 0; i < n; i += every) {
        g.fillText(D.ids[i].slice(0, 9), PAD.left - 10, PAD.top + (i + 0.5) * rh);
      }
    } else {
      ticks(0, rows, Math.max(2, ch.ph / 40)).forEach(function (l) {
        if (l < rows) g.fillText(String(l), PAD.left - 4, PAD.top + (l + 0.5) * rh);
      });
      g.save();
      g.translate(12, PAD.top + ch.ph / 2);
      g.rotate(-Math.PI / 2);
      g.textAlign = "center";
      g.fillText("lane (" + rows + " lanes)", 0, 0);
      g.restore();
    }
  }

  // -- memory profile ------------------------------------------------------------------
  function drawMemory(ch) {
    var s = ch.s, g = ch.base.getContext("2d"), m = s.memory;
    g.setTransform(ch.dpr, 0, 0, ch.dpr, 0, 0);
    g.clearRect(0, 0, ch.w, ch.h);
    var top = D.top * 1.08;
    var yOf = function (v) { return PAD.top + ch.ph * (1 - v / top); };
    ch.yOf = yOf;
    ch.vOf = function (y) { return (1 - (y - PAD.top) / ch.ph) * top; };
    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top, ch.pw, ch.ph);
    g.clip();
    if (s.bands) drawBands(ch, g, yOf); else drawEnvelope(ch, g, yOf);
    if (!s.bands) {
      g.strokeStyle = MEAN;
      g.setLineDash([5, 4]);
      line(g, PAD.left, yOf(m.mean), PAD.left + ch.pw, yOf(m.mean));
      g.setLineDash([]);
    }
    g.strokeStyle = LIMIT;
    g.lineWidth = 1.5;
    line(g, PAD.left, yOf(D.memory), PAD.left + ch.pw, yOf(D.memory));
    g.lineWidth = 1;
    g.restore();
    g.fillStyle = LIMIT;
    g.font = "11px sans-serif";
    g.textAlign = "left";
    g.textBaseline = "bottom";
    g.fillText("M = " + D.memory, PAD.left + 4, yOf(D.memory) - 2);
    g.fillStyle = "#333";
    g.textAlign = "right";
    g.textBaseline = "middle";
    ticks(0, top, Math.max(2, ch.ph / 35)).forEach(function (v) {
      if (v <= top) g.fillText(String(v), PAD.left - 4, yOf(v));
    });
    timeAxis(ch, g);
  }

  function line(g, x0, y0, x1, y1) {
    g.beginPath();
    g.moveTo(x0, Math.round(y0) + 0.5);
    g.lineTo(x1, Math.round(y1) + 0.5);
    g.stroke();
  }

  // Aggregate view: the most tokens held in any round of each pixel column (no overflow
  // is hidden when many rounds share a pixel); columns above M in red.
  function drawEnvelope(ch, g, yOf) {
    var s = ch.s, m = s.memory, cols = Math.ceil(ch.pw), peak = new Array(cols).fill(-1);
    var k0 = Math.max(0, Math.floor(view.t0 / m.width)), k;
    for (k = k0; k < m.values.length; k++) {
      var a = xOf(ch, s.memEdge(k)) - PAD.left, b = xOf(ch, s.memEdge(k + 1)) - PAD.left;
      if (a > cols) break;
      var c0 = Math.max(0, Math.floor(a)), c1 = Math.min(cols, Math.max(c0 + 1, Math.ceil(b)));
      for (var c = c0; c < c1; c++) if (m.values[k] > peak[c]) peak[c] = m.values[k];
    }
    g.fillStyle = MEM;
    for (var c2 = 0; c2 < cols; c2++) {
      if (peak[c2] <= 0) continue;
      if (peak[c2] > D.memory) g.fillStyle = OVER;
      var y = yOf(peak[c2]);
      g.fillRect(PAD.left + c2, y, 1, PAD.top + ch.ph - y);
      if (peak[c2] > D.memory) g.fillStyle = MEM;
    }
  }

  function drawBands(ch, g, yOf) {
    var s = ch.s, T = s.memory.rounds, acc = new Array(T).fill(0);
    s.bands.forEach(function (r) {
      var x0, x1, held, y0, y1;
      for (var t = r.a + 1; t <= Math.min(r.b, T); t++) {
        x0 = xOf(ch, t - 1);
        x1 = xOf(ch, t);
        if (x1 < PAD.left || x0 > PAD.left + ch.pw) { acc[t - 1] += D.prompt[r.i] + t - r.a; continue; }
        held = D.prompt[r.i] + t - r.a;
        y0 = yOf(acc[t - 1]);
        y1 = yOf(acc[t - 1] + held);
        g.fillStyle = color(r.i);
        g.globalAlpha = r.ev ? 0.55 : 0.95;
        g.fillRect(x0, y1, x1 - x0 + 0.3, y0 - y1);
        g.globalAlpha = 1;
        if (r.ev) hatch(g, x0, y1, x1 - x0, y0 - y1);
        acc[t - 1] += held;
      }
    });
  }

  // -- hovering ------------------------------------------------------------------------
  function runAt(s, i, t) { // the run of request i covering time t: [kind, start, end]
    var best = null;
    s.evByRequest[i].forEach(function (k) {
      if (s.ev_start[k] <= t && t <= s.ev_end[k]) best = ["evicted", s.ev_start[k], s.ev_end[k]];
    });
    if (best) return best;
    if (s.start[i] >= 0 && s.start[i] <= t && t <= s.end[i]) return ["run", s.start[i], s.end[i]];
    if (s.lo[i] <= t && t <= s.hi[i]) return ["waiting", null, null];
    return null;
  }

  function pickGantt(ch, x, y) {
    var s = ch.s, t = tOf(ch, x), lane = (y - PAD.top) / ch.rh;
    if (D.detailed) {
      var i = Math.floor(lane);
      return i >= 0 && i < n ? { i: i, t: t, run: runAt(s, i, t) } : null;
    }
    var slack = (view.t1 - view.t0) / ch.pw * 2, rank = { evicted: 3, run: 2, waiting: 1 };
    var best = null, l0 = Math.max(0, Math.floor(lane - 0.5 / ch.rh)), l1 = Math.floor(lane + 0.5 / ch.rh);
    for (var l = l0; l <= Math.min(l1, s.rows - 1); l++) {
      var list = s.lanes[l], lo = 0, hi = list.length; // last span starting before t + slack
      while (lo < hi) { var mid = (lo + hi) >> 1; if (s.lo[list[mid]] <= t + slack) lo = mid + 1; else hi = mid; }
      for (var j = lo - 1; j >= 0 && j >= lo - 3; j--) {
        var r = runAt(s, list[j], t) || runAt(s, list[j], t - slack) || runAt(s, list[j], t + slack);
        if (r && (!best || rank[r[0]] > rank[best.run[0]])) best = { i: list[j], t: t, run: r };
      }
    }
    return best;
  }

  function describe(s, p) {
    var i = p.i, a = s.arrival[i], out = ["<b>request " + esc(D.ids[i]) + "</b>",
      "prompt " + D.prompt[i] + ", output " + D.output[i] + ", arrival " + a];
    var r = p.run, round = Math.max(1, Math.ceil(p.t));
    if (r && r[0] !== "waiting") {
      var len = r[2] - r[1], j = Math.min(Math.max(round - r[1], 1), len);
      out.push((r[0] === "evicted" ? "<b>evicted run</b>" : "run") + ": start " + r[1] + ", end " + r[2] +
        (len === 1 ? " (round " + r[2] + ")" : " (rounds " + (r[1] + 1) + "\u2013" + r[2] + ")"));
      out.push("memory held: " + (len === 1 ? "" : (D.prompt[i] + 1) + " \u2192 " + (D.prompt[i] + len) +
        " tokens; ") + (D.prompt[i] + j) + " in round " + (r[1] + j));
      if (r[0] === "evicted") out.push("evicted after " + len + " of " + D.output[i] + " rounds (progress lost)");
    } else if (r) {
      out.push("waiting at time " + p.t.toFixed(1) + " (holds no memory)");
    } else {
      out.push(p.t < a ? "not arrived yet at time " + p.t.toFixed(1) : "done");
    }
    if (s.start[i] >= 0) {
      out.push("completes at " + s.end[i] + ", latency " + (s.end[i] - a) +
        (s.evByRequest[i].length ? ", " + s.evByRequest[i].length + " evicted run(s)" : ""));
    } else {
      out.push("never completes");
    }
    return out.join("<br>");
  }

  function describeMemory(ch, x, y) {
    var s = ch.s, m = s.memory, t = tOf(ch, x), round = Math.ceil(t);
    if (round < 1 || round > m.rounds) return "round " + Math.max(round, 0) + ": nothing runs";
    var k = Math.floor((round - 1) / m.width), v = m.values[k];
    var head = m.width === 1 ? "round " + round + ": <b>" + v + "</b> tokens held" :
      "rounds " + (s.memEdge(k) + 1) + "\u2013" + s.memEdge(k + 1) + ": at most <b>" + v + "</b> tokens";
    var out = [esc(s.label), head, "M = " + D.memory + (v > D.memory ? " <b>(over by " + (v - D.memory) +
      ")</b>" : ", free " + (D.memory - v))];
    if (s.bands) {
      var acc = 0, want = ch.vOf(y);
      s.bands.forEach(function (r) {
        if (r.a < round && round <= r.b) {
          var held = D.prompt[r.i] + round - r.a;
          if (acc <= want && want < acc + held) {
            out.push("request " + esc(D.ids[r.i]) + (r.ev ? " (evicted run)" : "") + " holds " + held);
          }
          acc += held;
        }
      });
    }
    return out.join("<br>");
  }

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  // -- painting --------------------------------------------------------------------------
  function render() {
    charts.forEach(function (ch) {
      frame(ch);
      if (ch.kind === "gantt") drawGantt(ch); else drawMemory(ch);
      var box = ch.canvas.getBoundingClientRect(); // the plot area in page pixels (for tests)
      ch.canvas.setAttribute("data-plot", [box.left + window.scrollX + PAD.left,
        box.top + window.scrollY + PAD.top, ch.pw, ch.ph].map(Math.round).join(","));
    });
    paint();
  }

  var pending = false;
  function later() { // zoom and pan: at most one redraw per frame
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); });
  }

  function paint() {
    charts.forEach(function (ch) {
      var g = ch.canvas.getContext("2d");
      g.setTransform(1, 0, 0, 1, 0, 0);
      g.clearRect(0, 0, ch.canvas.width, ch.canvas.height);
      g.drawImage(ch.base, 0, 0);
      if (!hover) return;
      g.setTransform(ch.dpr, 0, 0, ch.dpr, 0, 0);
      var x = Math.round(xOf(ch, hover.t)) + 0.5;
      g.strokeStyle = "rgba(0,0,0,0.45)";
      g.beginPath();
      g.moveTo(x, PAD.top);
      g.lineTo(x, PAD.top + ch.ph);
      g.stroke();
      if (ch.kind === "gantt" && hover.i != null) outline(ch, g, hover.i);
    });
  }

  function outline(ch, g, i) { // the hovered request, in every schedule
    var s = ch.s, y = PAD.top + (D.detailed ? i : s.row[i]) * ch.rh;
    var x0 = xOf(ch, s.lo[i]), x1 = xOf(ch, s.hi[i]);
    g.strokeStyle = "#000";
    g.lineWidth = 2;
    g.strokeRect(x0 - 1, y - 1, Math.max(x1 - x0, 1) + 2, Math.max(ch.rh, 1) + 2);
    g.lineWidth = 1;
  }

  var tip = document.getElementById("kvopt-tip");
  function onMove(ch, ev) {
    var box = ch.canvas.getBoundingClientRect(), x = ev.clientX - box.left, y = ev.clientY - box.top;
    if (drag) {
      var dt = (drag.x - ev.clientX) / ch.pw * (drag.t1 - drag.t0);
      view.t0 = drag.t0 + dt;
      view.t1 = drag.t1 + dt;
      later();
      return;
    }
    if (x < PAD.left || x > PAD.left + ch.pw || y < PAD.top || y > PAD.top + ch.ph) { leave(); return; }
    var html, p = null;
    if (ch.kind === "gantt") {
      p = pickGantt(ch, x, y);
      html = p ? describe(ch.s, p) : esc(ch.s.label) + "<br>time " + tOf(ch, x).toFixed(1);
    } else {
      html = describeMemory(ch, x, y);
    }
    hover = { t: tOf(ch, x), i: p ? p.i : null };
    tip.innerHTML = html;
    tip.style.display = "block";
    var left = ev.clientX + 14, topPx = ev.clientY + 14;
    if (left + tip.offsetWidth > window.innerWidth - 4) left = ev.clientX - tip.offsetWidth - 14;
    if (topPx + tip.offsetHeight > window.innerHeight - 4) topPx = ev.clientY - tip.offsetHeight - 14;
    tip.style.left = left + "px";
    tip.style.top = topPx + "px";
    paint();
  }

  function leave() {
    tip.style.display = "none";
    hover = null;
    paint();
  }

  var drag = null;
  function zoom(ch, ev) {
    ev.preventDefault();
    var box = ch.canvas.getBoundingClientRect(), t = tOf(ch, ev.clientX - box.left);
    var f = ev.deltaY > 0 ? 1.25 : 0.8, span = (view.t1 - view.t0) * f;
    if (span < 4) return;
    view.t0 = t - (t - view.t0) * f;
    view.t1 = view.t0 + span;
    later();
  }

  function reset() { view.t0 = 0; view.t1 = D.horizon * 1.01 + 0.2; render(); }

  // -- start -------------------------------------------------------------------------------
  D.schedules.forEach(function (s, k) {
    prepare(s);
    ["gantt", "memory"].forEach(function (kind) {
      var canvas = document.getElementById("kvopt-" + kind + "-" + k);
      var ch = { kind: kind, s: s, canvas: canvas, base: document.createElement("canvas") };
      canvas.addEventListener("mousemove", function (ev) { onMove(ch, ev); });
      canvas.addEventListener("mouseleave", function () { if (!drag) leave(); });
      canvas.addEventListener("wheel", function (ev) { zoom(ch, ev); }, { passive: false });
      canvas.addEventListener("mousedown", function (ev) {
        drag = { x: ev.clientX, t0: view.t0, t1: view.t1 };
      });
      canvas.addEventListener("dblclick", reset);
      charts.push(ch);
    });
  });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("resize", render);
  var button = document.getElementById("kvopt-reset");
  if (button) button.addEventListener("click", reset);
  // The address may name a time range and a hover to replay once drawn (to share a view,
  // and for headless browsers): #view=T0,T1&hover=K,gantt|memory,FX,FY (column K; FX, FY
  // as fractions of the plot area).
  var params = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var at = kv.indexOf("=");
    if (at > 0) params[kv.slice(0, at)] = kv.slice(at + 1).split(",");
  });
  var range = (params.view || []).map(Number);
  if (range.length === 2 && range[1] - range[0] >= 1) { view.t0 = range[0]; view.t1 = range[1]; }
  var began = performance.now();
  render();
  document.body.setAttribute("data-kvopt-ms", (performance.now() - began).toFixed(1));
  var want = params.hover;
  if (want && want.length === 4 && charts[2 * Number(want[0])]) {
    var ch = charts[2 * Number(want[0]) + (want[1] === "memory" ? 1 : 0)];
    var box = ch.canvas.getBoundingClientRect();
    onMove(ch, { clientX: box.left + PAD.left + Number(want[2]) * ch.pw,
      clientY: box.top + PAD.top + Number(want[3]) * ch.ph });
  }
  document.body.setAttribute("data-kvopt", "rendered");
})();
