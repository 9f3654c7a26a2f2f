public import CairnService
import Foundation
import Synchronization
public import Hummingbird
public import Logging
public import Prometheus
import ServiceLifecycle
public import Metrics

/// Builds Cairn's HTTP application on Hummingbird: the router with its middleware and routes, the metrics
/// registry, and the service's lifecycle.
///
/// ```swift
/// let service = CairnService(configuration: config, logger: logger, metricsFactory: server.metricsFactory)
/// let server = CairnServer(service: service, logger: logger)
/// try await server.application(onReady: { banner in print(banner) }).runService()
/// ```
public struct CairnServer: Sendable {
    public let service: CairnService
    public let logger: Logger
    /// Where `/metrics` reads from; give its factory to the service.
    public let registry: PrometheusCollectorRegistry

    /// - Parameter registry: the registry the service's metrics factory writes to (see ``metricsFactory(registry:)``).
    public init(service: CairnService, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.service = service
        self.registry = registry
        self.logger = logger
    }

    /// A Prometheus metrics factory over `registry` with latency buckets fit for a retrieval service
    /// (0.25 ms to 10 s).
    public static func metricsFactory(registry: PrometheusCollectorRegistry) -> any MetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(3),
            .milliseconds(5), .milliseconds(7), .milliseconds(10), .milliseconds(15), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        return factory
    }

    /// The router with every route and middleware.
    public func router() -> Router<CairnRequestContext> {
        let router = Router(context: CairnRequestContext.self)
        let factory = Self.metricsFactory(registry: registry)
        let openAPI = OpenAPIDocument.make(service: service)
        router.add(middleware: RequestMiddleware(metrics: HTTPMetrics(factory: factory), routes: RouteTable(openAPI: openAPI)))
        let limiter = RateLimiter(rate: service.configuration.rateLimitPerSecond, burst: service.configuration.rateLimitBurst)
        router.add(middleware: AuthMiddleware(service: service, keys: { [service] in service.keys }, limiter: limiter))
        SystemRoutes(service: service, registry: registry, openAPI: openAPI.bytes())
            .register(on: router)
        RetrieveRoutes(service: service).register(on: router)
        EmbeddingsRoutes(service: service).register(on: router)
        VectorStoreRoutes(service: service).register(on: router)
        UploadRoutes(service: service).register(on: router)
        MaterialRoutes(service: service).register(on: router)
        DialogueRoutes(service: service).register(on: router)
        MetricsRoutes(service: service).register(on: router)
        BenchmarkRoutes(service: service).register(on: router)
        AnswerRoutes(service: service).register(on: router)
        JobRoutes(service: service).register(on: router)
        return router
    }

    /// Runs the server until SIGTERM or SIGINT, then shuts down gracefully (see ``application(onReady:)``).
    public func run(onReady: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        try await application(onReady: onReady).runService()
    }

    /// The application: the HTTP server on the configured address, with the service's lifecycle as one of its
    /// services (so it shuts down after the server has finished its in-flight requests).
    /// - Parameter onReady: called once the server listens and the service is ready, with the base URL.
    public func application(onReady: @escaping @Sendable (String) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let config = service.configuration
        let lifecycle = ServiceRunner(service: service, onReady: onReady)
        return Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(config.host, port: config.port),
                                                    serverName: "cairn"),
            services: [lifecycle],
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { lifecycle.didBind(port: port) }
            },
            logger: logger)
    }
}

/// The service's lifecycle as a ServiceLifecycle service: start (open the data), run the background work,
/// and on graceful shutdown stop it and close the data.
struct ServiceRunner: Service {
    let service: CairnService
    let onReady: @Sendable (String) -> Void
    /// The bound port and whether the service is ready; `onReady` fires once both are known.
    private let state = Box()

    final class Box: Sendable {
        let mutex = Mutex<(port: Int?, ready: Bool, fired: Bool)>((nil, false, false))
        func withLock<T: Sendable>(_ body: (inout sending (port: Int?, ready: Bool, fired: Bool)) -> sending T) -> T {
            mutex.withLock(body)
        }
    }

    init(service: CairnService, onReady: @escaping @Sendable (String) -> Void) {
        self.service = service
        self.onReady = onReady
    }

    func didBind(port: Int) {
        service.didBind(port: port)
        state.withLock { $0.port = port }
        fireIfDue()
    }

    func run() async throws {
        try await service.start()
        state.withLock { $0.ready = true }
        fireIfDue()
        await withGracefulShutdownHandler {
            await service.run()
        } onGracefulShutdown: {
            service.requestStop()
        }
        await service.shutdown()
    }

    private func fireIfDue() {
        let port = state.withLock { s -> Int? in
            guard let port = s.port, s.ready, !s.fired else { return nil }
            s.fired = true
            return port
        }
        guard let port else { return }
        var config = service.configuration
        config.port = port
        onReady(config.baseURL)
    }
}
