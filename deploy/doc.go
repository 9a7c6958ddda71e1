// Package deploy holds what it takes to run exchangebot outside a
// checkout: the systemd unit, the compose file and the container image's
// configuration (the Dockerfile is at the repository root, its build
// context). It has no code; its tests check those files as far as a
// machine without a container engine allows.
package deploy
