package org.mcpjava.store.sqlite;

import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.SessionStore;

/** The contract on the reference {@link InMemorySessionStore}: a restart is a no-op there. */
class InMemorySessionStoreContractTest extends SessionStoreContract {
    @Override
    protected SessionStore newStore() {
        return new InMemorySessionStore();
    }

    @Override
    protected SessionStore restart(SessionStore store) {
        return store;
    }
}
