/** The header of a log card: its title, a "Show" filter and Refresh. */
export function LogHeader({
  title,
  filters,
  filter,
  onFilter,
  onRefresh,
  refreshing,
}: {
  title: string;
  filters: readonly { value: string; label: string }[];
  filter: string;
  onFilter: (value: string) => void;
  onRefresh: () => void;
  refreshing: boolean;
}) {
  return (
    <div className="card-header card-header-padded">
      <h2 className="card-title">{title}</h2>
      <div className="toolbar">
        <label className="inline-label">
          <span>Show</span>
          <select value={filter} onChange={(e) => onFilter(e.target.value)} aria-label="Filter by status">
            {filters.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={onRefresh}
          disabled={refreshing}
        >
          Refresh
        </button>
      </div>
    </div>
  );
}
