// Timeline histogram of events per day with a drag-to-select brush (plain SVG).
"use strict";

(function (WW) {
  const DAY = 86400000;
  const M = { left: 34, right: 10, top: 8, bottom: 20 };

  function parseDay(key) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  class Timeline {
    // onBrush(from, to) gets ISO days, or (null, null) when the selection is cleared.
    constructor(svgEl, onBrush) {
      this.svg = svgEl;
      this.onBrush = onBrush;
      this.buckets = [];
      this.range = null; // [fromMs, toMs] of the current selection
      this.drag = null;
      svgEl.addEventListener("pointerdown", (e) => this.start(e));
      svgEl.addEventListener("pointermove", (e) => this.move(e));
      svgEl.addEventListener("pointerup", (e) => this.end(e));
      window.addEventListener("resize", () => this.render());
    }

    setData(buckets, selection) {
      this.buckets = (buckets || [])
        .map((b) => ({ t: parseDay(b.key), count: b.count }))
        .filter((b) => b.t !== null)
        .sort((a, b) => a.t - b.t);
      this.range = selection && selection[0] ? [parseDay(selection[0]), parseDay(selection[1])] : null;
      this.render();
    }

    domain() {
      if (!this.buckets.length) return null;
      let lo = this.buckets[0].t;
      let hi = this.buckets[this.buckets.length - 1].t;
      if (this.range) {
        lo = Math.min(lo, this.range[0] || lo);
        hi = Math.max(hi, this.range[1] || hi);
      }
      const pad = Math.max(DAY, Math.round((hi - lo) * 0.02 / DAY) * DAY);
      return [lo - pad, hi + pad + DAY];
    }

    x(t) {
      const [lo, hi] = this.dom;
      return M.left + ((t - lo) / (hi - lo)) * this.innerW;
    }

    // The day boundary nearest to pixel x (a day d spans [x(d), x(d + 1)) ).
    t(x) {
      const [lo, hi] = this.dom;
      const frac = Math.min(1, Math.max(0, (x - M.left) / this.innerW));
      return Math.round((lo + frac * (hi - lo)) / DAY) * DAY;
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
        return;
      }
      const max = Math.max(...this.buckets.map((b) => b.count));
      const barW = Math.max(1, (this.innerW * DAY) / (this.dom[1] - this.dom[0]) - 1);
      const bars = WW.svg("g", { class: "tl-bars" });
      for (const b of this.buckets) {
        const h = (b.count / max) * this.innerH;
        const rect = WW.svg("rect", {
          x: this.x(b.t).toFixed(1), y: (M.top + this.innerH - h).toFixed(1),
          width: barW.toFixed(1), height: Math.max(1, h).toFixed(1), class: "tl-bar",
          "data-day": isoDay(b.t), "data-count": b.count,
        });
        rect.appendChild(WW.svg("title", {}, isoDay(b.t) + ": " + b.count + " event" + (b.count === 1 ? "" : "s")));
        bars.appendChild(rect);
      }
      svg.appendChild(bars);
      this.axis(max);
      if (this.range && this.range[0] !== null) {
        const x0 = this.x(this.range[0]);
        const x1 = this.x(this.range[1] + DAY);
        svg.appendChild(WW.svg("rect", {
          x: x0, y: M.top, width: Math.max(2, x1 - x0), height: this.innerH, class: "tl-brush",
        }));
      }
      this.brushRect = WW.svg("rect", { x: 0, y: M.top, width: 0, height: this.innerH, class: "tl-brush tl-live" });
      svg.appendChild(this.brushRect);
    }

    axis(max) {
      const g = WW.svg("g", { class: "tl-axis" });
      const y = M.top + this.innerH;
      g.appendChild(WW.svg("line", { x1: M.left, x2: M.left + this.innerW, y1: y, y2: y }));
      const n = Math.max(2, Math.min(6, Math.floor(this.innerW / 110)));
      for (let i = 0; i <= n; i++) {
        const t = this.dom[0] + ((this.dom[1] - this.dom[0]) * i) / n;
        const x = this.x(t);
        g.appendChild(WW.svg("line", { x1: x, x2: x, y1: y, y2: y + 4 }));
        g.appendChild(WW.svg("text", { x: x, y: y + 15, class: "tl-tick" }, isoDay(t)));
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
      // days mostly inside the selection: from the first boundary to the day before the last one
      const from = this.t(Math.min(x, x0));
      const to = Math.max(from, this.t(Math.max(x, x0)) - DAY);
      this.onBrush(isoDay(from), isoDay(to));
    }
  }

  WW.Timeline = Timeline;
})(window.WW);
