/** Administration of the reference cloud: the admin token. */
package io.edgeflow.cloud.admin;
