// Package actors holds the protoactor-go grains and actors of OneCode: the Account grain
// (one virtual actor per pupil account) and the cluster member that hosts them. Actors are
// thin: decisions come from package domain, durability from package persistence.
package actors
