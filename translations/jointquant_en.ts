<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>jq::ui::ActivationPanel</name>
    <message>
        <source>Filter, e.g. down_proj or 12</source>
        <translation>Filter, e.g. down_proj or 12</translation>
    </message>
    <message>
        <source>Select a layer and module on the left.</source>
        <translation>Select a layer and module on the left.</translation>
    </message>
    <message>
        <source>Statistic:</source>
        <translation>Statistic:</translation>
    </message>
    <message>
        <source>max |x|</source>
        <translation>max |x|</translation>
    </message>
    <message>
        <source>RMS</source>
        <translation>RMS</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>mean</translation>
    </message>
    <message>
        <source>kurtosis</source>
        <translation>kurtosis</translation>
    </message>
    <message>
        <source>Bars</source>
        <translation>Bars</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>Sort by size</source>
        <translation>Sort by size</translation>
    </message>
    <message>
        <source>Order channels from largest to smallest instead of by channel id</source>
        <translation>Order channels from largest to smallest instead of by channel id</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Log scale</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k:</translation>
    </message>
    <message>
        <source>Highlight the k largest channels</source>
        <translation>Highlight the k largest channels</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>Channels</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Heatmap</translation>
    </message>
    <message>
        <source>Per-layer summary:</source>
        <translation>Per-layer summary:</translation>
    </message>
    <message>
        <source>largest channel max |x|</source>
        <translation>largest channel max |x|</translation>
    </message>
    <message>
        <source>outlier ratio (max / median channel)</source>
        <translation>outlier ratio (max / median channel)</translation>
    </message>
    <message>
        <source>mean kurtosis</source>
        <translation>mean kurtosis</translation>
    </message>
    <message>
        <source>mean RMS</source>
        <translation>mean RMS</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Layers</translation>
    </message>
    <message>
        <source>Box plots</source>
        <translation>Box plots</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>Histogram</translation>
    </message>
    <message>
        <source>3D surface</source>
        <translation>3D surface</translation>
    </message>
    <message>
        <source>Open a model to inspect its activations.</source>
        <translation>Open a model to inspect its activations.</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>Layer %1</translation>
    </message>
    <message>
        <source>Input of %1 in layer %2</source>
        <translation>Input of %1 in layer %2</translation>
    </message>
    <message>
        <source>Layer %1 %2 will load when the running job ends.</source>
        <translation>Layer %1 %2 will load when the running job ends.</translation>
    </message>
    <message>
        <source>Loading layer %1 %2…</source>
        <translation>Loading layer %1 %2…</translation>
    </message>
    <message>
        <source>Statistics of layer %1 %2</source>
        <translation>Statistics of layer %1 %2</translation>
    </message>
    <message>
        <source>layer %1 · %2 input</source>
        <translation>layer %1 · %2 input</translation>
    </message>
    <message>
        <source>Per-channel statistics (no data)</source>
        <translation>Per-channel statistics (no data)</translation>
    </message>
    <message>
        <source>Before rotation</source>
        <translation>Before rotation</translation>
    </message>
    <message>
        <source>After rotation</source>
        <translation>After rotation</translation>
    </message>
    <message>
        <source>channel rank (largest first)</source>
        <translation>channel rank (largest first)</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>channel</translation>
    </message>
    <message>
        <source>top-%1: %2</source>
        <translation>top-%1: %2</translation>
    </message>
    <message>
        <source>channel %1: %2 = %3</source>
        <translation>channel %1: %2 = %3</translation>
    </message>
    <message>
        <source>|x| before rotation</source>
        <translation>|x| before rotation</translation>
    </message>
    <message>
        <source>|x| after rotation</source>
        <translation>|x| after rotation</translation>
    </message>
    <message>
        <source>token</source>
        <translation>token</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>layer</translation>
    </message>
    <message>
        <source>Per-layer summary (no data)</source>
        <translation>Per-layer summary (no data)</translation>
    </message>
    <message>
        <source>%1 input across layers</source>
        <translation>%1 input across layers</translation>
    </message>
    <message>
        <source>before rotation</source>
        <translation>before rotation</translation>
    </message>
    <message>
        <source>after rotation</source>
        <translation>after rotation</translation>
    </message>
    <message>
        <source>layer %1: max |x| %2 → %3, kurtosis %4 → %5</source>
        <translation>layer %1: max |x| %2 → %3, kurtosis %4 → %5</translation>
    </message>
    <message>
        <source>per-channel max |x|</source>
        <translation>per-channel max |x|</translation>
    </message>
    <message>
        <source>Per-channel max |x| by layer (no data)</source>
        <translation>Per-channel max |x| by layer (no data)</translation>
    </message>
    <message>
        <source>Per-channel max |x| of %1 input, by layer</source>
        <translation>Per-channel max |x| of %1 input, by layer</translation>
    </message>
    <message>
        <source>activation value</source>
        <translation>activation value</translation>
    </message>
    <message>
        <source>Value histogram, %1</source>
        <translation>Value histogram, %1</translation>
    </message>
    <message>
        <source>Value histogram (no data)</source>
        <translation>Value histogram (no data)</translation>
    </message>
    <message>
        <source>density</source>
        <translation>density</translation>
    </message>
</context>
<context>
    <name>jq::ui::CalibrationPanel</name>
    <message>
        <source>FP (no quantization)</source>
        <translation>FP (no quantization)</translation>
    </message>
    <message>
        <source>The unquantized model: the reference perplexity</source>
        <translation>The unquantized model: the reference perplexity</translation>
    </message>
    <message>
        <source>RTN</source>
        <translation>RTN</translation>
    </message>
    <message>
        <source>Round-to-nearest quantization without any rotation</source>
        <translation>Round-to-nearest quantization without any rotation</translation>
    </message>
    <message>
        <source>SmoothQuant</source>
        <translation>SmoothQuant</translation>
    </message>
    <message>
        <source>Moves activation scale into the weights before quantizing</source>
        <translation>Moves activation scale into the weights before quantizing</translation>
    </message>
    <message>
        <source>QuaRot</source>
        <translation>QuaRot</translation>
    </message>
    <message>
        <source>Random Hadamard rotations R1/R2, nothing learned</source>
        <translation>Random Hadamard rotations R1/R2, nothing learned</translation>
    </message>
    <message>
        <source>DartQuant</source>
        <translation>DartQuant</translation>
    </message>
    <message>
        <source>R1 learned with the Whip loss on rows pooled from all layers (QR-Orth)</source>
        <translation>R1 learned with the Whip loss on rows pooled from all layers (QR-Orth)</translation>
    </message>
    <message>
        <source>Independent R1</source>
        <translation>Independent R1</translation>
    </message>
    <message>
        <source>R1 optimized layer by layer, each layer on its own data (greedy)</source>
        <translation>R1 optimized layer by layer, each layer on its own data (greedy)</translation>
    </message>
    <message>
        <source>Joint R1</source>
        <translation>Joint R1</translation>
    </message>
    <message>
        <source>One global R1 optimized on the sum of all layers&apos; objectives</source>
        <translation>One global R1 optimized on the sum of all layers&apos; objectives</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>Methods</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantization</translation>
    </message>
    <message>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>Bits:</source>
        <translation>Bits:</translation>
    </message>
    <message>
        <source>GPTQ</source>
        <translation>GPTQ</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>Weights:</translation>
    </message>
    <message>
        <source>Calibration data</source>
        <translation>Calibration data</translation>
    </message>
    <message>
        <source>built-in corpus</source>
        <translation>built-in corpus</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Calibration Text</translation>
    </message>
    <message>
        <source>Text (*.txt *.raw *.parquet);;All files (*)</source>
        <translation>Text (*.txt *.raw *.parquet);;All files (*)</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>Windows:</source>
        <translation>Windows:</translation>
    </message>
    <message>
        <source>Tokens per window:</source>
        <translation>Tokens per window:</translation>
    </message>
    <message>
        <source>Rotation training</source>
        <translation>Rotation training</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochs:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Learning rate:</translation>
    </message>
    <message>
        <source>SGD (momentum 0.9)</source>
        <translation>SGD (momentum 0.9)</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>Optimizer:</translation>
    </message>
    <message>
        <source>Whip</source>
        <translation>Whip</translation>
    </message>
    <message>
        <source>SWD (sliced Wasserstein)</source>
        <translation>SWD (sliced Wasserstein)</translation>
    </message>
    <message>
        <source>Loss:</source>
        <translation>Loss:</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Device:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>automatic (runs folder)</source>
        <translation>automatic (runs folder)</translation>
    </message>
    <message>
        <source>Save run to:</source>
        <translation>Save run to:</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Calibrate, quantize and evaluate every checked method (F5)</source>
        <translation>Calibrate, quantize and evaluate every checked method (F5)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Loss before</source>
        <translation>Loss before</translation>
    </message>
    <message>
        <source>Loss after</source>
        <translation>Loss after</translation>
    </message>
    <message>
        <source>Quant. error before</source>
        <translation>Quant. error before</translation>
    </message>
    <message>
        <source>Quant. error after</source>
        <translation>Quant. error after</translation>
    </message>
    <message>
        <source>Per-layer metrics</source>
        <translation>Per-layer metrics</translation>
    </message>
    <message>
        <source>Quantization error per layer</source>
        <translation>Quantization error per layer</translation>
    </message>
    <message>
        <source>Open a model first</source>
        <translation>Open a model first</translation>
    </message>
    <message>
        <source>Check at least one method</source>
        <translation>Check at least one method</translation>
    </message>
    <message>
        <source>Calibration loss (SWD)</source>
        <translation>Calibration loss (SWD)</translation>
    </message>
    <message>
        <source>Calibration loss (Whip)</source>
        <translation>Calibration loss (Whip)</translation>
    </message>
    <message>
        <source>optimizer step</source>
        <translation>optimizer step</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>Calibration cancelled.</source>
        <translation>Calibration cancelled.</translation>
    </message>
    <message>
        <source>Activation quantization error per layer</source>
        <translation>Activation quantization error per layer</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>layer</translation>
    </message>
    <message>
        <source>relative MSE</source>
        <translation>relative MSE</translation>
    </message>
    <message>
        <source>no rotation</source>
        <translation>no rotation</translation>
    </message>
    <message>
        <source>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</source>
        <translation>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</translation>
    </message>
</context>
<context>
    <name>jq::ui::ExportDialog</name>
    <message>
        <source>Export Figure</source>
        <translation>Export Figure</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>PNG image</source>
        <translation>PNG image</translation>
    </message>
    <message>
        <source>SVG vector drawing</source>
        <translation>SVG vector drawing</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>PDF document</translation>
    </message>
    <message>
        <source>CSV data</source>
        <translation>CSV data</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>Size:</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>Resolution:</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Font:</source>
        <translation>Font:</translation>
    </message>
    <message>
        <source>Figures (*.png *.svg *.pdf);;Data (*.csv)</source>
        <translation>Figures (*.png *.svg *.pdf);;Data (*.csv)</translation>
    </message>
</context>
<context>
    <name>jq::ui::HeatmapPlot</name>
    <message>
        <source>token %1, channel %2: %3</source>
        <translation>token %1, channel %2: %3</translation>
    </message>
</context>
<context>
    <name>jq::ui::LogPanel</name>
    <message>
        <source>Show:</source>
        <translation>Show:</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug and above</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info and above</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnings and errors</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>… %1 older messages were skipped</source>
        <translation>… %1 older messages were skipped</translation>
    </message>
</context>
<context>
    <name>jq::ui::MainWindow</name>
    <message>
        <source>JointQuant Workbench</source>
        <translation>JointQuant Workbench</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>Activations</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Results</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>&amp;Open Model…</translation>
    </message>
    <message>
        <source>Open &amp;Run…</source>
        <translation>Open &amp;Run…</translation>
    </message>
    <message>
        <source>Recent &amp;Models</source>
        <translation>Recent &amp;Models</translation>
    </message>
    <message>
        <source>Recent R&amp;uns</source>
        <translation>Recent R&amp;uns</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Run</translation>
    </message>
    <message>
        <source>&amp;Calibrate</source>
        <translation>&amp;Calibrate</translation>
    </message>
    <message>
        <source>C&amp;ancel Job</source>
        <translation>C&amp;ancel Job</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>&amp;Reset Layout</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About JointQuant Workbench</source>
        <translation>&amp;About JointQuant Workbench</translation>
    </message>
    <message>
        <source>About JointQuant Workbench</source>
        <translation>About JointQuant Workbench</translation>
    </message>
    <message>
        <source>&lt;h3&gt;JointQuant Workbench %1&lt;/h3&gt;&lt;p&gt;W4A4 quantization of Llama-family models with learned rotations (QuaRot, SpinQuant, DartQuant, joint and independent R1).&lt;/p&gt;&lt;p&gt;Engine: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;JointQuant Workbench %1&lt;/h3&gt;&lt;p&gt;W4A4 quantization of Llama-family models with learned rotations (QuaRot, SpinQuant, DartQuant, joint and independent R1).&lt;/p&gt;&lt;p&gt;Engine: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>About &amp;Qt</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Stop the running job (Esc)</source>
        <translation>Stop the running job (Esc)</translation>
    </message>
    <message>
        <source>Open Checkpoint Folder</source>
        <translation>Open Checkpoint Folder</translation>
    </message>
    <message>
        <source>Open Run</source>
        <translation>Open Run</translation>
    </message>
    <message>
        <source>Runs (*.h5 *.hdf5 *.json);;All files (*)</source>
        <translation>Runs (*.h5 *.hdf5 *.json);;All files (*)</translation>
    </message>
    <message>
        <source>Loading %1</source>
        <translation>Loading %1</translation>
    </message>
    <message>
        <source>Wait for the running job to finish, or cancel it.</source>
        <translation>Wait for the running job to finish, or cancel it.</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>Opening %1</translation>
    </message>
    <message>
        <source>The language changes when the workbench is started again.</source>
        <translation>The language changes when the workbench is started again.</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1: done</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1: cancelled</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1: failed</translation>
    </message>
</context>
<context>
    <name>jq::ui::ModelPanel</name>
    <message>
        <source>Open Checkpoint Folder…</source>
        <translation>Open Checkpoint Folder…</translation>
    </message>
    <message>
        <source>A folder with config.json and *.safetensors (a Hugging Face Llama checkpoint)</source>
        <translation>A folder with config.json and *.safetensors (a Hugging Face Llama checkpoint)</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Configuration</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architecture:</translation>
    </message>
    <message>
        <source>Hidden size:</source>
        <translation>Hidden size:</translation>
    </message>
    <message>
        <source>MLP size:</source>
        <translation>MLP size:</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Layers:</translation>
    </message>
    <message>
        <source>Attention heads:</source>
        <translation>Attention heads:</translation>
    </message>
    <message>
        <source>KV heads:</source>
        <translation>KV heads:</translation>
    </message>
    <message>
        <source>Head dimension:</source>
        <translation>Head dimension:</translation>
    </message>
    <message>
        <source>Vocabulary:</source>
        <translation>Vocabulary:</translation>
    </message>
    <message>
        <source>Max positions:</source>
        <translation>Max positions:</translation>
    </message>
    <message>
        <source>RoPE:</source>
        <translation>RoPE:</translation>
    </message>
    <message>
        <source>RMSNorm ε:</source>
        <translation>RMSNorm ε:</translation>
    </message>
    <message>
        <source>Tied embeddings:</source>
        <translation>Tied embeddings:</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>Parameters:</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>Data type:</translation>
    </message>
    <message>
        <source>Inspectable inputs:</source>
        <translation>Inspectable inputs:</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Weights</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>No model loaded.</translation>
    </message>
    <message>
        <source>θ = %1</source>
        <translation>θ = %1</translation>
    </message>
    <message>
        <source>θ = %1, %2</source>
        <translation>θ = %1, %2</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Memory the weights need: all of them on one device, or layer by layer (weights stay in host memory and one decoder layer at a time goes to the GPU)</source>
        <translation>Memory the weights need: all of them on one device, or layer by layer (weights stay in host memory and one decoder layer at a time goes to the GPU)</translation>
    </message>
    <message>
        <source>Memory for the weights:</source>
        <translation>Memory for the weights:</translation>
    </message>
    <message>
        <source>%1, layer by layer</source>
        <translation>%1, layer by layer</translation>
    </message>
    <message>
        <source>%1, all layers</source>
        <translation>%1, all layers</translation>
    </message>
    <message>
        <source>Hugging Face cache</source>
        <translation>Hugging Face cache</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>Checkpoint</translation>
    </message>
    <message>
        <source>Models cached by huggingface_hub, transformers or jointquant (HF_HUB_CACHE, else HF_HOME/hub). Double-click one to load it.</source>
        <translation>Models cached by huggingface_hub, transformers or jointquant (HF_HUB_CACHE, else HF_HOME/hub). Double-click one to load it.</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>Load</translation>
    </message>
    <message>
        <source>Load the selected snapshot</source>
        <translation>Load the selected snapshot</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>List the cache again</source>
        <translation>List the cache again</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>Download…</translation>
    </message>
    <message>
        <source>Fetch a model from the Hugging Face Hub into this cache (resumable, checksums verified), as huggingface_hub lays it out</source>
        <translation>Fetch a model from the Hugging Face Hub into this cache (resumable, checksums verified), as huggingface_hub lays it out</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Stop the download; the next download of this model resumes it</source>
        <translation>Stop the download; the next download of this model resumes it</translation>
    </message>
    <message>
        <source>Cache: %1 (HF_HUB_OFFLINE: no downloads)</source>
        <translation>Cache: %1 (HF_HUB_OFFLINE: no downloads)</translation>
    </message>
    <message>
        <source>Cache: %1</source>
        <translation>Cache: %1</translation>
    </message>
    <message>
        <source>Cannot list the Hugging Face cache: %1</source>
        <translation>Cannot list the Hugging Face cache: %1</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>complete</translation>
    </message>
    <message>
        <source>no %1</source>
        <translation>no %1</translation>
    </message>
    <message>
        <source>%1
commit %2
%3 files, %4</source>
        <translation>%1
commit %2
%3 files, %4</translation>
    </message>
    <message>
        <source>No models cached yet.</source>
        <translation>No models cached yet.</translation>
    </message>
    <message>
        <source>Download from the Hugging Face Hub</source>
        <translation>Download from the Hugging Face Hub</translation>
    </message>
    <message>
        <source>Model id:</source>
        <translation>Model id:</translation>
    </message>
    <message>
        <source>Revision:</source>
        <translation>Revision:</translation>
    </message>
    <message>
        <source>The checkpoint files (*.json, *.safetensors, tokenizer.model) go into %1. Gated and private models need a token: HF_TOKEN, or `huggingface-cli login`.</source>
        <translation>The checkpoint files (*.json, *.safetensors, tokenizer.model) go into %1. Gated and private models need a token: HF_TOKEN, or `huggingface-cli login`.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Download</translation>
    </message>
    <message>
        <source>Downloading %1</source>
        <translation>Downloading %1</translation>
    </message>
    <message>
        <source>Downloaded %1 into the Hugging Face cache</source>
        <translation>Downloaded %1 into the Hugging Face cache</translation>
    </message>
    <message>
        <source>Wait for the running job to finish, or cancel it.</source>
        <translation>Wait for the running job to finish, or cancel it.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 of %3</translation>
    </message>
</context>
<context>
    <name>jq::ui::PlotFrame</name>
    <message>
        <source>Reset zoom</source>
        <translation>Reset zoom</translation>
    </message>
    <message>
        <source>Show all data again (drag to zoom in, right-click to zoom out)</source>
        <translation>Show all data again (drag to zoom in, right-click to zoom out)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Copy the figure and its data to the clipboard</source>
        <translation>Copy the figure and its data to the clipboard</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <source>Save the figure as PNG, SVG or PDF, or its data as CSV</source>
        <translation>Save the figure as PNG, SVG or PDF, or its data as CSV</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Saved %1</translation>
    </message>
    <message>
        <source>Export Figure</source>
        <translation>Export Figure</translation>
    </message>
    <message>
        <source>Copied the figure and its data</source>
        <translation>Copied the figure and its data</translation>
    </message>
</context>
<context>
    <name>jq::ui::ReportBuilder</name>
    <message>
        <source>Generated %1 from %2</source>
        <translation>Generated %1 from %2</translation>
    </message>
    <message>
        <source>JointQuant report</source>
        <translation>JointQuant report</translation>
    </message>
    <message>
        <source>(continued)</source>
        <translation>(continued)</translation>
    </message>
    <message>
        <source>1. Runs and settings</source>
        <translation>1. Runs and settings</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>Table 1: the runs in this report.</source>
        <translation>Table 1: the runs in this report.</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>Methods</translation>
    </message>
    <message>
        <source>Stored rotation</source>
        <translation>Stored rotation</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>Setting</translation>
    </message>
    <message>
        <source>The run files hold no configuration.</source>
        <translation>The run files hold no configuration.</translation>
    </message>
    <message>
        <source>Table 2: settings of each run, as stored in the run file&apos;s configuration.</source>
        <translation>Table 2: settings of each run, as stored in the run file&apos;s configuration.</translation>
    </message>
    <message>
        <source>2. Perplexity</source>
        <translation>2. Perplexity</translation>
    </message>
    <message>
        <source>The run files hold no perplexity measurements.</source>
        <translation>The run files hold no perplexity measurements.</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <source>Perplexity (%1)</source>
        <translation>Perplexity (%1)</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexity</translation>
    </message>
    <message>
        <source>Table 3: perplexity of every method (lower is better), exp of the mean next-token loss over non-overlapping windows of the evaluation text.</source>
        <translation>Table 3: perplexity of every method (lower is better), exp of the mean next-token loss over non-overlapping windows of the evaluation text.</translation>
    </message>
    <message>
        <source>Perplexity by method (%1)</source>
        <translation>Perplexity by method (%1)</translation>
    </message>
    <message>
        <source>method</source>
        <translation>method</translation>
    </message>
    <message>
        <source>perplexity (log scale)</source>
        <translation>perplexity (log scale)</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>perplexity</translation>
    </message>
    <message>
        <source>Figure 1: perplexity by method on a logarithmic scale; unrotated W4A4 models are often orders of magnitude worse than the rest.</source>
        <translation>Figure 1: perplexity by method on a logarithmic scale; unrotated W4A4 models are often orders of magnitude worse than the rest.</translation>
    </message>
    <message>
        <source>Figure 1: perplexity by method (lower is better).</source>
        <translation>Figure 1: perplexity by method (lower is better).</translation>
    </message>
    <message>
        <source>3. Calibration</source>
        <translation>3. Calibration</translation>
    </message>
    <message>
        <source>Table 4: time (all stages except evaluation); Whip loss summed over layers with the method&apos;s R1 at the start and the end of its optimization (one value for methods that learn nothing); mean relative quantization error of the activations over layers.</source>
        <translation>Table 4: time (all stages except evaluation); Whip loss summed over layers with the method&apos;s R1 at the start and the end of its optimization (one value for methods that learn nothing); mean relative quantization error of the activations over layers.</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>Time (s)</translation>
    </message>
    <message>
        <source>Start loss</source>
        <translation>Start loss</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>Final loss</translation>
    </message>
    <message>
        <source>Quant. error</source>
        <translation>Quant. error</translation>
    </message>
    <message>
        <source>R1 calibration loss (%1)</source>
        <translation>R1 calibration loss (%1)</translation>
    </message>
    <message>
        <source>R1 calibration loss</source>
        <translation>R1 calibration loss</translation>
    </message>
    <message>
        <source>optimizer step</source>
        <translation>optimizer step</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>No method of these runs learned a rotation, so there are no loss curves.</source>
        <translation>No method of these runs learned a rotation, so there are no loss curves.</translation>
    </message>
    <message>
        <source>Figure 2: loss of the learned R1 per optimizer step, one curve per method.</source>
        <translation>Figure 2: loss of the learned R1 per optimizer step, one curve per method.</translation>
    </message>
    <message>
        <source>Whip loss per layer (%1)</source>
        <translation>Whip loss per layer (%1)</translation>
    </message>
    <message>
        <source>Whip loss per layer</source>
        <translation>Whip loss per layer</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>layer</translation>
    </message>
    <message>
        <source>Activation quantization error per layer (%1)</source>
        <translation>Activation quantization error per layer (%1)</translation>
    </message>
    <message>
        <source>Activation quantization error per layer</source>
        <translation>Activation quantization error per layer</translation>
    </message>
    <message>
        <source>relative MSE (log scale)</source>
        <translation>relative MSE (log scale)</translation>
    </message>
    <message>
        <source>relative MSE</source>
        <translation>relative MSE</translation>
    </message>
    <message>
        <source>Hadamard start</source>
        <translation>Hadamard start</translation>
    </message>
    <message>
        <source>Figure 3: per layer, the Whip loss of each method&apos;s R1 (top; grey: the random Hadamard it starts from) and the relative error of the quantized activations after each method (bottom).</source>
        <translation>Figure 3: per layer, the Whip loss of each method&apos;s R1 (top; grey: the random Hadamard it starts from) and the relative error of the quantized activations after each method (bottom).</translation>
    </message>
    <message>
        <source>4. Activation outliers</source>
        <translation>4. Activation outliers</translation>
    </message>
    <message>
        <source>Run %1:</source>
        <translation>Run %1:</translation>
    </message>
    <message>
        <source>%1 holds no activation statistics, and its model folder is not available to compute them.</source>
        <translation>%1 holds no activation statistics, and its model folder is not available to compute them.</translation>
    </message>
    <message>
        <source>%1 holds no activation statistics.</source>
        <translation>%1 holds no activation statistics.</translation>
    </message>
    <message>
        <source>the run&apos;s rotation</source>
        <translation>the run&apos;s rotation</translation>
    </message>
    <message>
        <source>the %1 rotation</source>
        <translation>the %1 rotation</translation>
    </message>
    <message>
        <source>Statistics of the inputs of each decoder layer&apos;s linear modules, as stored in the run file; &quot;after&quot; is the model rotated by %1.</source>
        <translation>Statistics of the inputs of each decoder layer&apos;s linear modules, as stored in the run file; &quot;after&quot; is the model rotated by %1.</translation>
    </message>
    <message>
        <source>The run file stores no activation statistics; they were computed for this report from %1 windows of %2 tokens of calibration text through the model with its RMSNorm weights fused into the linear layers (&quot;before&quot;) and through the same model rotated by %3 stored in the file (&quot;after&quot;), so the two differ by the rotation alone.</source>
        <translation>The run file stores no activation statistics; they were computed for this report from %1 windows of %2 tokens of calibration text through the model with its RMSNorm weights fused into the linear layers (&quot;before&quot;) and through the same model rotated by %3 stored in the file (&quot;after&quot;), so the two differ by the rotation alone.</translation>
    </message>
    <message>
        <source>Table %1: per-layer outlier summary: the largest channel max |x|, its ratio to the median channel (max/median) and the mean channel kurtosis (a Gaussian channel has 3), before and after rotation.</source>
        <translation>Table %1: per-layer outlier summary: the largest channel max |x|, its ratio to the median channel (max/median) and the mean channel kurtosis (a Gaussian channel has 3), before and after rotation.</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>Module</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>max |x| before</source>
        <translation>max |x| before</translation>
    </message>
    <message>
        <source>after</source>
        <translation>after</translation>
    </message>
    <message>
        <source>max/median before</source>
        <translation>max/median before</translation>
    </message>
    <message>
        <source>kurtosis before</source>
        <translation>kurtosis before</translation>
    </message>
    <message>
        <source>%1 input: max/median channel</source>
        <translation>%1 input: max/median channel</translation>
    </message>
    <message>
        <source>ratio (log scale)</source>
        <translation>ratio (log scale)</translation>
    </message>
    <message>
        <source>ratio</source>
        <translation>ratio</translation>
    </message>
    <message>
        <source>before rotation</source>
        <translation>before rotation</translation>
    </message>
    <message>
        <source>after rotation</source>
        <translation>after rotation</translation>
    </message>
    <message>
        <source>Figure %1: how far the largest channel stands out from the median channel, per layer and module input, before and after rotation.</source>
        <translation>Figure %1: how far the largest channel stands out from the median channel, per layer and module input, before and after rotation.</translation>
    </message>
    <message>
        <source>layer %1 %2 input</source>
        <translation>layer %1 %2 input</translation>
    </message>
    <message>
        <source>max |x| per channel, before</source>
        <translation>max |x| per channel, before</translation>
    </message>
    <message>
        <source>max |x| per channel, after</source>
        <translation>max |x| per channel, after</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>channel</translation>
    </message>
    <message>
        <source>max |x|</source>
        <translation>max |x|</translation>
    </message>
    <message>
        <source>Histogram of x, before</source>
        <translation>Histogram of x, before</translation>
    </message>
    <message>
        <source>Histogram of x, after</source>
        <translation>Histogram of x, after</translation>
    </message>
    <message>
        <source>x</source>
        <translation>x</translation>
    </message>
    <message>
        <source>count (log scale)</source>
        <translation>count (log scale)</translation>
    </message>
    <message>
        <source>Figure %1: %2, the site with the strongest outliers before rotation: per-channel max |x| and the histogram of all values, before (left) and after (right) rotation, on shared scales.</source>
        <translation>Figure %1: %2, the site with the strongest outliers before rotation: per-channel max |x| and the histogram of all values, before (left) and after (right) rotation, on shared scales.</translation>
    </message>
    <message>
        <source>Table 2: settings of each run, as stored in the run file&apos;s configuration; ▸ marks the settings that differ between runs.</source>
        <translation>Table 2: settings of each run, as stored in the run file&apos;s configuration; ▸ marks the settings that differ between runs.</translation>
    </message>
    <message>
        <source>The activation statistics of %1 are identical to those of %2 shown above (the same rotation).</source>
        <translation>The activation statistics of %1 are identical to those of %2 shown above (the same rotation).</translation>
    </message>
</context>
<context>
    <name>jq::ui::ResultsPanel</name>
    <message>
        <source>Open Run…</source>
        <translation>Open Run…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Remove the selected run from the comparison</source>
        <translation>Remove the selected run from the comparison</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Show:</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexity</translation>
    </message>
    <message>
        <source>Quantization error</source>
        <translation>Quantization error</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>Time (s)</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>Final loss</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Log scale</translation>
    </message>
    <message>
        <source>Unrotated W4A4 perplexities are orders of magnitude above the rest</source>
        <translation>Unrotated W4A4 perplexities are orders of magnitude above the rest</translation>
    </message>
    <message>
        <source>Runs in the comparison</source>
        <translation>Runs in the comparison</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <source>Quant. error</source>
        <translation>Quant. error</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>run %1</translation>
    </message>
    <message>
        <source>No results yet: run a calibration or open a run</source>
        <translation>No results yet: run a calibration or open a run</translation>
    </message>
    <message>
        <source>method</source>
        <translation>method</translation>
    </message>
    <message>
        <source>%1 by method (%2)</source>
        <translation>%1 by method (%2)</translation>
    </message>
    <message>
        <source>%1 by method</source>
        <translation>%1 by method</translation>
    </message>
</context>
<context>
    <name>jq::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Device:</translation>
    </message>
    <message>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <source>float32</source>
        <translation>float32</translation>
    </message>
    <message>
        <source>Model data type:</source>
        <translation>Model data type:</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Compute</translation>
    </message>
    <message>
        <source>built-in corpus</source>
        <translation>built-in corpus</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Calibration Text</translation>
    </message>
    <message>
        <source>Calibration data:</source>
        <translation>Calibration data:</translation>
    </message>
    <message>
        <source>Weight bits:</source>
        <translation>Weight bits:</translation>
    </message>
    <message>
        <source>Activation bits:</source>
        <translation>Activation bits:</translation>
    </message>
    <message>
        <source>RTN</source>
        <translation>RTN</translation>
    </message>
    <message>
        <source>GPTQ</source>
        <translation>GPTQ</translation>
    </message>
    <message>
        <source>Weight quantizer:</source>
        <translation>Weight quantizer:</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochs:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Learning rate:</translation>
    </message>
    <message>
        <source>SGD (momentum 0.9)</source>
        <translation>SGD (momentum 0.9)</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>Optimizer:</translation>
    </message>
    <message>
        <source>Whip</source>
        <translation>Whip</translation>
    </message>
    <message>
        <source>SWD (sliced Wasserstein)</source>
        <translation>SWD (sliced Wasserstein)</translation>
    </message>
    <message>
        <source>Loss:</source>
        <translation>Loss:</translation>
    </message>
    <message>
        <source>Restore DartQuant Defaults</source>
        <translation>Restore DartQuant Defaults</translation>
    </message>
    <message>
        <source>SGD, learning rate 1.5e-3, 10 epochs, Whip loss, W4A4 with RTN weights</source>
        <translation>SGD, learning rate 1.5e-3, 10 epochs, Whip loss, W4A4 with RTN weights</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Language:</translation>
    </message>
    <message>
        <source>A new language applies to windows opened after the change; restart to translate this one.</source>
        <translation>A new language applies to windows opened after the change; restart to translate this one.</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Theme:</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Interface</translation>
    </message>
    <message>
        <source>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</source>
        <translation>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</translation>
    </message>
</context>
<context>
    <name>jq::ui::SurfacePlot</name>
    <message>
        <source>channel block (%1 channels each)</source>
        <translation>channel block (%1 channels each)</translation>
    </message>
    <message>
        <source>token block</source>
        <translation>token block</translation>
    </message>
    <message>
        <source>Loading 3D view…</source>
        <translation>Loading 3D view…</translation>
    </message>
    <message>
        <source>The 3D surface needs OpenGL, which this display does not provide.
The heatmap tab shows the same data.</source>
        <translation>The 3D surface needs OpenGL, which this display does not provide.
The heatmap tab shows the same data.</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>channel</translation>
    </message>
    <message>
        <source>token</source>
        <translation>token</translation>
    </message>
    <message>
        <source>|activation|</source>
        <translation>|activation|</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Workbench for W4A4 quantization with learned rotations</source>
        <translation>Workbench for W4A4 quantization with learned rotations</translation>
    </message>
    <message>
        <source>User interface language: en or zh_CN.</source>
        <translation>User interface language: en or zh_CN.</translation>
    </message>
    <message>
        <source>Open this checkpoint folder at start.</source>
        <translation>Open this checkpoint folder at start.</translation>
    </message>
    <message>
        <source>Render the window to this PNG and exit.</source>
        <translation>Render the window to this PNG and exit.</translation>
    </message>
    <message>
        <source>Panel to show: model, activations, calibration, results, log.</source>
        <translation>Panel to show: model, activations, calibration, results, log.</translation>
    </message>
    <message>
        <source>Activations tab: channels, heatmap, layers, box, histogram, 3d.</source>
        <translation>Activations tab: channels, heatmap, layers, box, histogram, 3d.</translation>
    </message>
    <message>
        <source>light or dark (default: the saved setting).</source>
        <translation>light or dark (default: the saved setting).</translation>
    </message>
    <message>
        <source>Window size for --screenshot, e.g. 1400x880.</source>
        <translation>Window size for --screenshot, e.g. 1400x880.</translation>
    </message>
    <message>
        <source>Ignore saved settings (use a temporary settings file).</source>
        <translation>Ignore saved settings (use a temporary settings file).</translation>
    </message>
    <message>
        <source>With --screenshot PREFIX: save every panel and tab as PREFIX-&lt;view&gt;.png.</source>
        <translation>With --screenshot PREFIX: save every panel and tab as PREFIX-&lt;view&gt;.png.</translation>
    </message>
    <message>
        <source>Run on synthetic data (no model is computed); with --screenshot, also take the tour.</source>
        <translation>Run on synthetic data (no model is computed); with --screenshot, also take the tour.</translation>
    </message>
    <message>
        <source>With --screenshot: inspect a layer and run two short calibrations first.</source>
        <translation>With --screenshot: inspect a layer and run two short calibrations first.</translation>
    </message>
    <message>
        <source>Layer the tour inspects (default: 11 with --demo, else 1).</source>
        <translation>Layer the tour inspects (default: 11 with --demo, else 1).</translation>
    </message>
    <message>
        <source>Evaluation text for calibrations, or a data set id (wikitext2, ptb, c4[:split]) from the Hugging Face cache (default: the demo corpus next to the model).</source>
        <translation>Evaluation text for calibrations, or a data set id (wikitext2, ptb, c4[:split]) from the Hugging Face cache (default: the demo corpus next to the model).</translation>
    </message>
    <message>
        <source>Open this run file at start (may be repeated); with --screenshot, instead of the tour&apos;s calibrations.</source>
        <translation>Open this run file at start (may be repeated); with --screenshot, instead of the tour&apos;s calibrations.</translation>
    </message>
    <message>
        <source>Write a report of this run file (more run files may follow) to --out, without a window.</source>
        <translation>Write a report of this run file (more run files may follow) to --out, without a window.</translation>
    </message>
    <message>
        <source>Report file: .pdf, .html, or .png (one file per page; %d is the page number).</source>
        <translation>Report file: .pdf, .html, or .png (one file per page; %d is the page number).</translation>
    </message>
    <message>
        <source>Resolution of PNG report pages.</source>
        <translation>Resolution of PNG report pages.</translation>
    </message>
    <message>
        <source>In a report, do not compute activation statistics a run file lacks from its model.</source>
        <translation>In a report, do not compute activation statistics a run file lacks from its model.</translation>
    </message>
    <message>
        <source>With --report: further run files.</source>
        <translation>With --report: further run files.</translation>
    </message>
</context>
</TS>
