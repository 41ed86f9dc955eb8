// Package schoolday is the one definition of a school's calendar day: Asia/Shanghai
// (UTC+8, no daylight saving since 1991). Card expiries, daily spend caps, canteen
// totals and fee due dates all count days here.
package schoolday
