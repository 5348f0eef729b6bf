/**
 * The Evaluation view (DESIGN.md §7): settings of the next run, run controls with progress,
 * and the results — per-dataset table beside the paper's numbers, Pareto plot, routing share with the
 * collapse warning, calls and turns histograms, the selected method's episodes, exports and Share.
 * Renders from the store; actions go through the controller.
 */
import { useEffect } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { EvalDatasetTable } from './eval/EvalDatasetTable';
import { EvalEpisodes } from './eval/EvalEpisodes';
import { EvalExportBar } from './eval/EvalExportBar';
import { EvalHistograms } from './eval/EvalHistograms';
import { EvalParetoPlot } from './eval/EvalParetoPlot';
import { EvalRoutingShare } from './eval/EvalRoutingShare';
import { EvalRunControls } from './eval/EvalRunControls';
import { EvalSettingsPanel } from './eval/EvalSettingsPanel';

export function EvalView() {
  const hasResults = useApp((s) => s.evalRows.length > 0 || s.evalHistory.length > 0);
  const controller = useController();
  // The embedded policies are methods too: read their index (embedded.json) once the view opens.
  useEffect(() => void controller?.loadEmbeddedVariants(), [controller]);
  return (
    <section className="panel eval-view" aria-labelledby="eval-heading" data-testid="eval.view">
      <h2 id="eval-heading" className="panel-title">
        Evaluation
      </h2>
      <EvalSettingsPanel />
      <EvalRunControls />
      {hasResults && (
        <div className="eval-results" data-testid="eval.results">
          <EvalDatasetTable />
          <EvalParetoPlot />
          <EvalRoutingShare />
          <EvalHistograms />
          <EvalEpisodes />
          <EvalExportBar />
        </div>
      )}
    </section>
  );
}
