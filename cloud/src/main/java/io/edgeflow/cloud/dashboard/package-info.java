/** The cloud's dashboard in a browser (/dashboard/): sign-in sessions, Devices, Add Device, Codes, Audit. */
package io.edgeflow.cloud.dashboard;
