// paying is what the result pages do with an order awaiting payment, by channel:
// H5 goes to payUrl, JSAPI hands the signed parameters to WeixinJSBridge (its
// answer only a hint: the result page polls the order), NATIVE shows the QR code
// (PayQR). pay answers the i18n key of a hint to show, or ''.
import { payInWeChat } from '@shared/pay'
import type { Recharge } from '@shared/types'

export function payable(o: Recharge | null): boolean {
  if (!o || o.state !== 'STATE_AWAITING_PAYMENT') return false
  return !!o.jsapi || /^https?:\/\//.test(o.payUrl ?? '')
}

export async function pay(o: Recharge | null): Promise<string> {
  if (!o || o.state !== 'STATE_AWAITING_PAYMENT') return ''
  if (o.jsapi) {
    switch (await payInWeChat(o.jsapi)) {
      case 'cancel': return 'pay.jsapiCancel'
      case 'fail': return 'pay.jsapiFail'
      case 'unavailable': return 'pay.noBridge'
    }
    return ''
  }
  if (/^https?:\/\//.test(o.payUrl ?? '')) window.location.assign(o.payUrl)
  return ''
}
