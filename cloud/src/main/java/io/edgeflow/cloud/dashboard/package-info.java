/** The cloud's dashboard in a browser (/dashboard/): sign-in sessions, Devices, Add Device, Codes, Audit, Artifacts, Rollouts. */
package io.edgeflow.cloud.dashboard;
