/** The {@code edgeflow-cloud} command line. */
package io.edgeflow.cloud.cli;
