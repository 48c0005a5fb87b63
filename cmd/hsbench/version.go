package main

import "github.com/hsbench/hsbench/results"

func versionString() string { return results.HsbenchVersion() }
