package account

// ID is the account id of a pupil: acc_<school>_<student no>. Import, binding and
// every tool that names a pupil's account use this one definition.
func ID(schoolID, studentNo string) string {
	return "acc_" + schoolID + "_" + studentNo
}
