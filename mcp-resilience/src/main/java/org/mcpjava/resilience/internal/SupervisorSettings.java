package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ReconnectPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a {@link ConnectionSupervisor} is configured with, validated once and frozen. The
 * collaborators it works with (dialer, scheduler, random source, owner, state tracker) are not
 * configuration and are passed to the supervisor itself.
 *
 * @param name             names the supervisor in log lines
 * @param endpoints        in order of preference (at least one; checked by {@link EndpointRotation})
 * @param reconnectPolicy  the backoff between dial rounds, and of fail-back probes
 * @param healthPolicy     when the ready connection's health is checked
 * @param overlap          whether a replacement may be dialed while the old connection drains
 * @param failBack         whether to probe the preferred endpoint while connected to another, and
 *                         move back to it (needs {@code overlap})
 * @param goawayGrace      how long a connection that got GOAWAY (without overlap), or that was
 *                         replaced while it worked (with overlap), may take to finish its calls
 *                         before it is closed from this side
 * @param terminalRefusals error codes of a refused handshake that take the endpoint out of the
 *                         rotation for good
 */
public record SupervisorSettings(String name, List<Endpoint> endpoints, ReconnectPolicy reconnectPolicy,
                                 HealthPolicy healthPolicy, boolean overlap, boolean failBack, Duration goawayGrace,
                                 Set<Integer> terminalRefusals) {
    /** Checks that fail-back comes with overlap, and freezes the collections. */
    public SupervisorSettings {
        if (failBack && !overlap) {
            throw new IllegalArgumentException(name + ": fail-back needs overlap (make before break)");
        }
        endpoints = List.copyOf(endpoints);
        terminalRefusals = Set.copyOf(terminalRefusals);
    }
}
