/// Where things go on screen, as pure functions of the state, shared by `update` (page sizes,
/// scrolling) and the view (drawing).
public enum Layout {
    /// Width from which the board shows the selected task's log beside the table.
    public static let previewMinWidth = 140

    /// Rows between the header and the two bottom lines.
    static func body(_ size: Size) -> Rect { Rect(x: 0, y: 1, width: size.width, height: size.height - 3) }

    /// The board's table frame and, on wide terminals, the preview frame.
    static func boardFrames(_ size: Size) -> (table: Rect, preview: Rect?) {
        let (_, rest) = body(size).splitTop(1)
        guard size.width >= previewMinWidth else { return (rest, nil) }
        let (left, right) = rest.splitLeft(size.width * 3 / 5)
        return (left, right)
    }

    /// Task rows visible in the board's table.
    static func tableRows(_ state: AppState) -> Int { max(0, boardFrames(state.size).table.height - 3) }

    /// The task screen's content frame (below the summary line and the tabs).
    static func taskFrame(_ size: Size) -> Rect { body(size).splitTop(2).1 }

    /// Content rows on the current screen (for paging).
    static func bodyRows(_ state: AppState) -> Int {
        switch state.screen {
        case .board: max(1, tableRows(state))
        case .task: max(1, taskFrame(state.size).height - 2)
        case .outbox, .workers, .audit, .approvals, .digest: max(1, body(state.size).height - 3)
        case .sentry: max(1, SentryView.fingerprintRows(state))
        case .deliveries: max(1, DeliveriesView.rows(state))
        }
    }
}
