// ECharts, imported piece by piece (core, bar chart, grid, tooltip, canvas): the
// totals page's chunk carries only these, and only that page loads it. The canvas
// renderer sets styles through the CSSOM, which the Content-Security-Policy
// (style-src 'self') allows; tooltips are plain text (no inline style attributes).
import { init, use, type ECharts } from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { formatFen } from '@shared/money'

use([BarChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer])

export interface Bar { day: string; fen: number; count: number }

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** drawTotals draws one bar per day (fen as integers; axis labels in yuan). */
export function drawTotals(el: HTMLElement, bars: Bar[], label: string, old?: ECharts): ECharts {
  const chart = old ?? init(el, undefined, { renderer: 'canvas' })
  chart.setOption({
    aria: { enabled: true, label: { description: label } },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis', renderMode: 'html',
      formatter: (ps: unknown) => {
        const p = (Array.isArray(ps) ? ps[0] : ps) as { dataIndex: number }
        const b = bars[p.dataIndex]
        return b ? `${escape(b.day)}<br/>${escape(formatFen(b.fen))} · ${b.count}` : ''
      },
    },
    xAxis: { type: 'category', data: bars.map((b) => b.day.slice(5)), axisLabel: { color: '#303133' } },
    yAxis: { type: 'value', minInterval: 100, axisLabel: { color: '#303133', formatter: (v: number) => formatFen(Math.round(v)) } },
    series: [{ type: 'bar', data: bars.map((b) => b.fen), itemStyle: { color: '#1a5fb4' }, barMaxWidth: 36 }],
  }, true)
  return chart
}
