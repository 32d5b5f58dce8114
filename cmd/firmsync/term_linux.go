package main

import "golang.org/x/sys/unix"

// The termios requests differ in name between Linux and the BSDs.
const ioctlGetTermios, ioctlSetTermios = unix.TCGETS, unix.TCSETS
