import Foundation
import Testing
import TowerCore

@testable import TowerAgents

@Suite struct SchemaTests {
    static let shape = Schema.object([
        ("name", .string(minLength: 1), ""),
        ("level", .string(enumeration: ["Low", "High"]), ""),
        ("count", .integer(minimum: 1, maximum: 5), ""),
        ("items", .array(.object([("x", .number(minimum: 0, maximum: nil), "")]), minItems: 1, maxItems: 2), ""),
        ("flag", .boolean, ""),
    ])

    @Test func aConformingValueHasNoProblems() throws {
        let value: JSONValue = ["name": "a", "level": "Low", "count": 2, "items": [["x": 1.5]], "flag": true]
        #expect(Self.shape.problems(in: value).isEmpty)
    }

    @Test func everyProblemHasAPath() {
        let value: JSONValue = ["name": "  ", "level": "Medium", "count": 2.5, "items": [["x": -1], ["x": "1"], [:]], "extra": 1]
        let problems = Self.shape.problems(in: value)
        #expect(problems.contains("$.flag: required property is missing"))
        #expect(problems.contains("$.extra: unexpected property"))
        #expect(problems.contains("$.name: must not be empty"))
        #expect(problems.contains("$.level: \"Medium\" is not one of Low, High"))
        #expect(problems.contains("$.count: 2.5 is not an integer"))
        #expect(problems.contains("$.items: allows at most 2 items, has 3"))
        #expect(problems.contains("$.items[0].x: -1.0 is below the minimum 0.0"))
        #expect(problems.contains("$.items[1].x: expected a number, got a string"))
        #expect(problems.contains("$.items[2].x: required property is missing"))
    }

    @Test func theSchemaDocumentIsJSONSchema() {
        let json = Self.shape.json
        #expect(json["type"] == "object")
        #expect(json["additionalProperties"] == false)
        #expect(json["required"] == ["name", "level", "count", "items", "flag"])
        #expect(json["properties"]?["level"]?["enum"] == ["Low", "High"])
        #expect(json["properties"]?["items"]?["maxItems"] == 2)
    }

    @Test func thePlanShapeRejectsCyclesUnknownDependenciesAndDuplicates() throws {
        func plan(_ tasks: JSONValue) throws -> PlanAnswer {
            let value: JSONValue = [
                "summary": "A summary long enough", "inScope": ["x"], "outOfScope": [], "components": [], "dataFlow": "a", "unitTests": ["t"],
                "integrationTests": [], "tasks": tasks, "securityConsiderations": ["s"], "rollbackPlan": "revert",
            ]
            return try JSONDecoder().decode(PlanAnswer.self, from: JSONEncoder().encode(value))
        }
        let cycle = try plan([
            ["number": 1, "title": "a", "repository": "r", "dependencies": [2], "estimatedHours": 1],
            ["number": 2, "title": "b", "repository": "r", "dependencies": [1], "estimatedHours": 1],
        ])
        #expect(cycle.problems().contains { $0.contains("tasks 1, 2 depend on each other in a cycle") })
        let unknown = try plan([["number": 1, "title": "a", "repository": "r", "dependencies": [7], "estimatedHours": 1]])
        #expect(unknown.problems().contains { $0.contains("depends on task 7, which does not exist") })
        let duplicate = try plan([
            ["number": 1, "title": "a", "repository": "r", "dependencies": [], "estimatedHours": 1],
            ["number": 1, "title": "b", "repository": "r", "dependencies": [], "estimatedHours": 1],
        ])
        #expect(duplicate.problems().contains { $0.contains("must be unique") })
        #expect(duplicate.repositoryProblems(allowed: ["acme/x"]).count == 2)
    }
}

@Suite struct TermsAndMessagesTests {
    @Test func identifiersSplitIntoTheirParts() {
        #expect(Terms.split("RateLimiter") == ["Rate", "Limiter"])
        #expect(Terms.split("max_retries") == ["max", "retries"])
        #expect(Terms.split("HTTPServerError") == ["HTTP", "Server", "Error"])
        #expect(Terms.of("NewRateLimiter(limits)") == ["newratelimiter", "new", "rate", "limiter", "limit"])
    }

    @Test func branchNamesAreSafeAndShort() {
        #expect(PlanMessages.branch(ticketOrTask: "PROJ-123", title: "Add OAuth login (Google)!") == "ai/PROJ-123-add-oauth-login-google")
        #expect(PlanMessages.branch(ticketOrTask: "t-1", title: "Ünïcode — and $(rm -rf /) `x`") == "ai/t-1-n-code-and-rm-rf-x")
        let long = PlanMessages.branch(ticketOrTask: "PROJ-9", title: String(repeating: "word ", count: 40))
        #expect(long.count <= "ai/PROJ-9-".count + 40 && !long.hasSuffix("-"))
    }

    @Test func manifestsNameTheirDependencies() {
        #expect(Manifests.read(name: "package.json", text: #"{"dependencies":{"@acme/ui-kit":"1"},"devDependencies":{"vitest":"1"}}"#)?.dependencies.sorted() == ["@acme/ui-kit", "vitest"])
        #expect(Manifests.read(name: "requirements.txt", text: "# pinned\nrequests>=2.31\nacme-client[async]==1.0\n-r base.txt\n")?.dependencies == ["requests", "acme-client"])
        let edges = CrossRepoDependencies.find(
            files: [
                "acme/web": ["package.json": #"{"dependencies":{"@acme/ui-kit":"^2"}}"#],
                "acme/api": ["go.mod": "module github.com/acme/api\n\nrequire github.com/acme/auth-lib v1.2.0\n"],
                "acme/worker": ["src/jobs.py": "import os\nBILLING = os.environ['AUTH_LIB_URL']\n"],
            ], organization: ["acme/web", "acme/api", "acme/ui-kit", "acme/auth-lib", "acme/worker"])
        #expect(edges.map(\.dependency) == [
            DiscoveryResult.Dependency(from: "api", to: "auth-lib", type: "library"),
            DiscoveryResult.Dependency(from: "web", to: "ui-kit", type: "library"),
            DiscoveryResult.Dependency(from: "worker", to: "auth-lib", type: "API"),
        ])
    }

    @Test func fileKindsFromPaths() {
        #expect(FileKind.of("src/auth/oauth.ts") == .source)
        #expect(FileKind.of("tests/test_tax.py") == .test)
        #expect(FileKind.of("src/components/__tests__/LoginForm.test.tsx") == .test)
        #expect(FileKind.of("internal/token/jwt_test.go") == .test)
        #expect(FileKind.of("docs/index.md") == .docs)
        #expect(FileKind.of("pyproject.toml") == .build)
        #expect(FileKind.of(".github/workflows/ci.yml") == .config)
        #expect(FileKind.of("examples/tutorial/flaskr/auth.py") == .example)
        // A repository's own tooling (encode's scripts/clean, aiohttp's tools/gen.py) is build, a
        // package's module named scripts is not.
        #expect(FileKind.of("scripts/clean") == .build && FileKind.of("tools/gen.py") == .build)
        #expect(FileKind.of("src/pkg/scripts/run.py") == .source)
    }
}
