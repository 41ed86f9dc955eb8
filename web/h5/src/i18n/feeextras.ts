// Messages of the fee extras (issue 11): paying a bill online.
export const zh = {
  billpay: {
    title: '缴费结果', paid: '缴费成功', awaiting: '等待支付', checking: '正在确认支付结果…', closed: '订单已关闭',
    failed: '支付失败', pending: '处理中', slow: '支付结果确认较慢，请稍后刷新。', retry: '刷新', payNow: '去支付',
    back: '返回账单', amount: '金额', order: '订单号', receiptPdf: '下载电子收据（PDF）',
  },
  payments: {
    title: '缴费记录', online: '在线支付', cash: '现金', balance: '余额支付', refunded: '已退款 {amount}',
    voucher: '票据号 {ref}', order: '订单号 {ref}', none: '暂无缴费记录',
  },
}

export const en: typeof zh = {
  billpay: {
    title: 'Payment result', paid: 'Paid', awaiting: 'Awaiting payment', checking: 'Checking the payment…', closed: 'Order closed',
    failed: 'Payment failed', pending: 'Processing', slow: 'The payment is taking long to confirm; refresh later.', retry: 'Refresh',
    payNow: 'Pay now', back: 'Back to the bill', amount: 'Amount', order: 'Order', receiptPdf: 'Download the receipt (PDF)',
  },
  payments: {
    title: 'Payments', online: 'Paid online', cash: 'Cash', balance: 'Card balance', refunded: 'Refunded {amount}',
    voucher: 'Voucher {ref}', order: 'Order {ref}', none: 'No payment yet',
  },
}
