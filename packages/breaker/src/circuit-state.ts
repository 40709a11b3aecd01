/**
 * Where a circuit stands:
 * - `closed`: calls go through; outcomes are recorded and may open the circuit.
 * - `open`: calls fail fast with {@link CircuitOpenError} until the break is over.
 * - `half-open`: a bounded number of probe calls go through; their outcome closes or reopens the circuit.
 * - `isolated`: held open by hand through {@link CircuitBreakerPolicy.isolate}, until every handle is released.
 */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';
