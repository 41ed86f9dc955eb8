// Package payments decides, per school, which payment merchant takes a school's
// online payments: OneCode as a WeChat Pay service provider with the school as a
// sub-merchant, a school's own (direct) WeChat Pay merchant, or an Alipay app (the
// school's own, or OneCode's ISV app acting on the school's app_auth_token).
//
// It exists so that the choice is configuration set by an operator and validated at
// start (an unknown merchant, a school listed twice, a service-provider merchant
// without the school's sub_mchid: the member refuses to start), and so that the
// online-payment use case (app/recharge) sees only recharge.Providers: a provider for
// a school, and the provider an order was placed with, by the key recorded on it.
package payments
