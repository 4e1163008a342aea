package org.mcpjava.resilience;

class InMemoryOfflineQueueTest extends OfflineQueueContract {
    @Override
    OfflineQueue open() {
        return new InMemoryOfflineQueue();
    }

    @Override
    OfflineQueue reopen(OfflineQueue closed) {
        return closed; // it lives as long as the instance: the next client is given the same one
    }
}
