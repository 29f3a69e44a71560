// Timeline histogram (plain SVG): bins of a day, week, month or year chosen from the span shown, two
// series (incidents in front of the reports that tell of them), a drag-to-select brush that filters by
// date, and a view that zooms to the selection ("show all" zooms back out).
"use strict";

(function (WW) {
  const DAY = 86400000;
  const M = { left: 34, right: 10, top: 8, bottom: 20 };
  const MAX_BINS = 160; // the finest unit that gives at most this many bins over the span shown

  function parseDay(key) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  // Calendar units: floor(t) = the start of the bin holding day t; next(t) = the start of the following bin.
  const UNITS = {
    day: { days: 1, floor: (t) => t, next: (t) => t + DAY, fmt: isoDay },
    week: {
      days: 7,
      floor: (t) => t - ((new Date(t).getUTCDay() + 6) % 7) * DAY, // weeks start on Monday
      next: (t) => t + 7 * DAY,
      fmt: isoDay,
    },
    month: {
      days: 30.44,
      floor: (t) => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); },
      next: (t) => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); },
      fmt: (t) => isoDay(t).slice(0, 7),
    },
    year: {
      days: 365.25,
      floor: (t) => Date.UTC(new Date(t).getUTCFullYear(), 0, 1),
      next: (t) => Date.UTC(new Date(t).getUTCFullYear() + 1, 0, 1),
      fmt: (t) => isoDay(t).slice(0, 4),
    },
  };

  WW.chooseUnit = function (spanDays) {
    for (const name of ["day", "week", "month", "year"]) {
      if (spanDays / UNITS[name].days <= MAX_BINS) return name;
    }
    return "year";
  };

  class Timeline {
    // onBrush(from, to) gets ISO days, or (null, null) when the selection is cleared;
    // onRender(info) is told the unit and series after each render (for the heading).
    constructor(svgEl, onBrush, onRender) {
      this.svg = svgEl;
      this.onBrush = onBrush;
      this.onRender = onRender || (() => {});
      this.days = [];
      this.range = null; // [fromMs, toMs] of the current selection (days, inclusive)
      this.zoomed = true; // with a selection: show it (with some context) rather than the whole span
      this.drag = null;
      this.series = "events";
      svgEl.addEventListener("pointerdown", (e) => this.start(e));
      svgEl.addEventListener("pointermove", (e) => this.move(e));
      svgEl.addEventListener("pointerup", (e) => this.end(e));
      window.addEventListener("resize", () => this.render());
    }

    // buckets: [{key: "YYYY-MM-DD", count, incidents?, events?}]; series "incidents" draws incidents
    // in front of reports (events), "events" draws reports only.
    setData(buckets, selection, series) {
      this.series = series === "incidents" ? "incidents" : "events";
      this.days = (buckets || [])
        .map((b) => ({
          t: parseDay(b.key),
          main: b.count,
          reports: b.events !== undefined ? b.events : b.count,
        }))
        .filter((b) => b.t !== null)
        .sort((a, b) => a.t - b.t);
      const sel = selection && (selection[0] || selection[1]) ? selection : null;
      const range = sel ? [parseDay(sel[0]), parseDay(sel[1])] : null;
      if (range && this.days.length) {
        range[0] = range[0] === null ? this.days[0].t : range[0];
        range[1] = range[1] === null ? this.days[this.days.length - 1].t : range[1];
      }
      const changed = JSON.stringify(range) !== JSON.stringify(this.range);
      this.range = range;
      if (changed && range) this.zoomed = true;
      this.render();
    }

    setZoomed(on) {
      this.zoomed = on;
      this.render();
    }

    // [lo, hi) in ms: the whole data span, or the selection with a margin when zoomed.
    domain() {
      if (!this.days.length) return null;
      let lo = this.days[0].t;
      let hi = this.days[this.days.length - 1].t + DAY;
      if (this.range) {
        const [a, b] = [this.range[0], this.range[1] + DAY];
        if (this.zoomed) {
          const margin = Math.max(DAY, Math.round(((b - a) * 0.15) / DAY) * DAY);
          return [a - margin, b + margin];
        }
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
      const pad = Math.max(DAY, Math.round(((hi - lo) * 0.02) / DAY) * DAY);
      return [lo - pad, hi + pad];
    }

    x(t) {
      const [lo, hi] = this.dom;
      return M.left + ((t - lo) / (hi - lo)) * this.innerW;
    }

    // The bin boundary nearest to pixel x.
    t(x) {
      const [lo, hi] = this.dom;
      const frac = Math.min(1, Math.max(0, (x - M.left) / this.innerW));
      const t = Math.round((lo + frac * (hi - lo)) / DAY) * DAY;
      const u = UNITS[this.unit];
      const a = u.floor(t);
      const b = u.next(a);
      return t - a <= b - t ? a : b;
    }

    bins() {
      const u = UNITS[this.unit];
      const [lo, hi] = this.dom;
      const out = new Map();
      for (const d of this.days) {
        if (d.t < lo || d.t >= hi) continue;
        const k = u.floor(d.t);
        const bin = out.get(k) || { t: k, end: u.next(k), main: 0, reports: 0, days: 0 };
        bin.main += d.main;
        bin.reports += d.reports;
        bin.days += 1;
        out.set(k, bin);
      }
      return Array.from(out.values()).sort((a, b) => a.t - b.t);
    }

    render() {
      const svg = this.svg;
      WW.clear(svg);
      const width = svg.clientWidth || 600;
      const height = svg.clientHeight || 110;
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      this.innerW = width - M.left - M.right;
      this.innerH = height - M.top - M.bottom;
      this.dom = this.domain();
      if (!this.dom) {
        svg.appendChild(WW.svg("text", { x: width / 2, y: height / 2, class: "tl-empty" }, "no dated events"));
        this.onRender({ unit: null, series: this.series, zoomable: false });
        return;
      }
      this.unit = WW.chooseUnit((this.dom[1] - this.dom[0]) / DAY);
      svg.dataset.unit = this.unit;
      const bins = this.bins();
      const both = this.series === "incidents";
      const max = Math.max(1, ...bins.map((b) => Math.max(b.main, both ? b.reports : 0)));
      const fmt = UNITS[this.unit].fmt;
      const back = WW.svg("g", { class: "tl-reports" });
      const front = WW.svg("g", { class: "tl-bars" });
      const noun = both ? "incident" : "event";
      for (const b of bins) {
        const x0 = this.x(b.t);
        const w = Math.max(1, this.x(b.end) - x0 - (this.x(b.end) - x0 > 4 ? 1 : 0));
        const y = (n) => M.top + this.innerH - (n / max) * this.innerH;
        if (both) {
          back.appendChild(WW.svg("rect", {
            x: x0.toFixed(1), y: y(b.reports).toFixed(1), width: w.toFixed(1),
            height: Math.max(1, (b.reports / max) * this.innerH).toFixed(1), class: "tl-report",
            "data-day": isoDay(b.t), "data-count": b.reports,
          }));
        }
        const inset = both && w > 6 ? w * 0.2 : 0;
        const rect = WW.svg("rect", {
          x: (x0 + inset).toFixed(1), y: y(b.main).toFixed(1), width: Math.max(1, w - 2 * inset).toFixed(1),
          height: Math.max(1, (b.main / max) * this.innerH).toFixed(1), class: "tl-bar",
          "data-day": isoDay(b.t), "data-count": b.main, "data-reports": b.reports,
        });
        const label = fmt(b.t) + ": " + b.main + " " + noun + (b.main === 1 ? "" : "s")
          + (both ? " · " + b.reports + " report" + (b.reports === 1 ? "" : "s") : "");
        rect.appendChild(WW.svg("title", {}, label));
        front.appendChild(rect);
      }
      svg.appendChild(back);
      svg.appendChild(front);
      this.axis(max, fmt);
      if (this.range) {
        const x0 = Math.max(M.left, this.x(this.range[0]));
        const x1 = Math.min(M.left + this.innerW, this.x(this.range[1] + DAY));
        svg.appendChild(WW.svg("rect", {
          x: x0, y: M.top, width: Math.max(2, x1 - x0), height: this.innerH, class: "tl-brush tl-selection",
        }));
      }
      this.brushRect = WW.svg("rect", { x: 0, y: M.top, width: 0, height: this.innerH, class: "tl-brush tl-live" });
      svg.appendChild(this.brushRect);
      this.onRender({ unit: this.unit, series: this.series, zoomable: !!this.range, zoomed: this.zoomed });
    }

    axis(max, fmt) {
      const g = WW.svg("g", { class: "tl-axis" });
      const y = M.top + this.innerH;
      g.appendChild(WW.svg("line", { x1: M.left, x2: M.left + this.innerW, y1: y, y2: y }));
      const n = Math.max(2, Math.min(6, Math.floor(this.innerW / 110)));
      const u = UNITS[this.unit];
      let last = null;
      for (let i = 0; i <= n; i++) {
        let t = this.dom[0] + ((this.dom[1] - this.dom[0]) * i) / n;
        t = u.floor(Math.round(t / DAY) * DAY);
        if (t < this.dom[0]) t = u.next(t);
        if (t === last || t > this.dom[1]) continue;
        last = t;
        const x = this.x(t);
        g.appendChild(WW.svg("line", { x1: x, x2: x, y1: y, y2: y + 4 }));
        const edge = x > M.left + this.innerW - 40 ? "end" : x < M.left + 30 ? "start" : "middle";
        g.appendChild(WW.svg("text", { x: x, y: y + 15, class: "tl-tick", "text-anchor": edge }, fmt(t)));
      }
      g.appendChild(WW.svg("text", { x: M.left - 4, y: M.top + 8, class: "tl-max" }, String(max)));
      this.svg.appendChild(g);
    }

    localX(e) {
      const box = this.svg.getBoundingClientRect();
      return e.clientX - box.left;
    }

    start(e) {
      if (!this.dom) return;
      this.drag = { x0: this.localX(e) };
      this.svg.setPointerCapture(e.pointerId);
    }

    move(e) {
      if (!this.drag) return;
      const x = this.localX(e);
      const a = Math.min(x, this.drag.x0);
      const b = Math.max(x, this.drag.x0);
      this.brushRect.setAttribute("x", a);
      this.brushRect.setAttribute("width", b - a);
    }

    end(e) {
      if (!this.drag) return;
      const x = this.localX(e);
      const x0 = this.drag.x0;
      this.drag = null;
      if (Math.abs(x - x0) < 3) {
        this.range = null;
        this.onBrush(null, null);
        return;
      }
      // bins mostly inside the selection: from the first boundary to the day before the last one
      const from = this.t(Math.min(x, x0));
      const to = Math.max(from, this.t(Math.max(x, x0)) - DAY);
      this.onBrush(isoDay(from), isoDay(to));
    }
  }

  WW.Timeline = Timeline;
})(window.WW);
