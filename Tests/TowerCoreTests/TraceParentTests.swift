import Testing
import TowerCore

/// W3C Trace Context's `traceparent`, as the specification's examples and rules give it: only a
/// well-formed one from a webhook's sender is kept.
@Suite struct TraceParentTests {
    @Test func theSpecificationsExampleIsValid() {
        #expect(TraceParent.isValid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(TraceParent.isValid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
    }

    @Test func malformedOnesAreNot() {
        for value in [
            "", "00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // too short
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // an all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // an all-zero span id
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // a version this does not read
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        ] {
            #expect(!TraceParent.isValid(value), "\(value)")
        }
    }
}
