// Messages of the WeChat link (issue 12): the entry in the notice preferences and
// the OAuth return page /h5/wechat-link, spread into i18n.ts.
export const zh = {
  wechat: {
    title: '绑定微信', group: '微信公众号', status: '绑定状态', linked: '已绑定', notLinked: '未绑定', disabled: '本校暂未开通微信公众号通知',
    linkedAt: '绑定于 {at}', link: '绑定微信', unlink: '解除绑定',
    unlinkConfirm: '解除后，通知将改为短信发送。确定解除微信绑定吗？', unlinked: '已解除绑定',
    hint: '绑定后，通知优先通过微信公众号模板消息发送；未关注公众号时改发短信。登录验证码只发短信。',
    linking: '正在完成微信绑定…', done: '微信绑定成功', failed: '微信绑定未完成', denied: '未获得微信授权，请重新发起绑定',
    back: '返回消息通知设置', again: '重新绑定',
  },
}

export const en: typeof zh = {
  wechat: {
    title: 'Link WeChat', group: 'WeChat official account', status: 'Link', linked: 'Linked', notLinked: 'Not linked',
    disabled: 'WeChat notices are not available at this school yet',
    linkedAt: 'Linked on {at}', link: 'Link WeChat', unlink: 'Unlink',
    unlinkConfirm: 'Notices will go by SMS instead. Unlink WeChat?', unlinked: 'Unlinked',
    hint: 'Once linked, notices go by WeChat template message first, by SMS when you do not follow the official account. Login codes go by SMS only.',
    linking: 'Finishing the WeChat link…', done: 'WeChat linked', failed: 'WeChat was not linked', denied: 'WeChat did not authorise the link: start again',
    back: 'Back to notification settings', again: 'Link again',
  },
}
