/**
 * What the {@code demo} command and {@code bench-capture}'s warm-up need to make traffic of their
 * own: a throw-away veth pair with one end in a network namespace ({@link DemoLink}) and the frames
 * sent over it ({@link DemoFrames}). The tests' fuller lab is test support
 * ({@code dev.capstream.capture.lab} in capture-native's test-jar) and never ships.
 */
package dev.capstream.sidecar.demo;
