/**
 * The FLIP-27 capture source for Flink: splits are capture readers, assigned to the reader on the
 * host that owns them. Built in issue 7; this module exists now so the reactor and the dependency
 * direction (capture-native, schemas, then the connectors) are fixed from the start.
 */
package dev.capstream.flink;
