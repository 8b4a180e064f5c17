// The PinTalk widget — being written.
