//go:build tensorflow

package main

import _ "fmnist/tfrunner/tensorflow"
