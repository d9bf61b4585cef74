<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>jq::ui::ActivationPanel</name>
    <message>
        <source>Filter, e.g. down_proj or 12</source>
        <translation>筛选，例如 down_proj 或 12</translation>
    </message>
    <message>
        <source>Select a layer and module on the left.</source>
        <translation>请在左侧选择层和模块。</translation>
    </message>
    <message>
        <source>Statistic:</source>
        <translation>统计量：</translation>
    </message>
    <message>
        <source>max |x|</source>
        <translation>最大 |x|</translation>
    </message>
    <message>
        <source>RMS</source>
        <translation>均方根</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>kurtosis</source>
        <translation>峰度</translation>
    </message>
    <message>
        <source>Bars</source>
        <translation>柱状</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>折线</translation>
    </message>
    <message>
        <source>Sort by size</source>
        <translation>按大小排序</translation>
    </message>
    <message>
        <source>Order channels from largest to smallest instead of by channel id</source>
        <translation>按数值从大到小排列通道，而不是按通道编号</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>前 k 个：</translation>
    </message>
    <message>
        <source>Highlight the k largest channels</source>
        <translation>突出显示最大的 k 个通道</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>热力图</translation>
    </message>
    <message>
        <source>Per-layer summary:</source>
        <translation>逐层汇总：</translation>
    </message>
    <message>
        <source>largest channel max |x|</source>
        <translation>通道最大 |x| 的最大值</translation>
    </message>
    <message>
        <source>outlier ratio (max / median channel)</source>
        <translation>离群比（最大 / 中位通道）</translation>
    </message>
    <message>
        <source>mean kurtosis</source>
        <translation>平均峰度</translation>
    </message>
    <message>
        <source>mean RMS</source>
        <translation>平均均方根</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Box plots</source>
        <translation>箱线图</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>3D surface</source>
        <translation>三维曲面</translation>
    </message>
    <message>
        <source>Open a model to inspect its activations.</source>
        <translation>打开模型以查看其激活值。</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>Input of %1 in layer %2</source>
        <translation>第 %2 层 %1 的输入</translation>
    </message>
    <message>
        <source>Layer %1 %2 will load when the running job ends.</source>
        <translation>第 %1 层 %2 将在当前任务结束后加载。</translation>
    </message>
    <message>
        <source>Loading layer %1 %2…</source>
        <translation>正在加载第 %1 层 %2…</translation>
    </message>
    <message>
        <source>Statistics of layer %1 %2</source>
        <translation>第 %1 层 %2 的统计</translation>
    </message>
    <message>
        <source>layer %1 · %2 input</source>
        <translation>第 %1 层 · %2 输入</translation>
    </message>
    <message>
        <source>Per-channel statistics (no data)</source>
        <translation>逐通道统计（无数据）</translation>
    </message>
    <message>
        <source>Before rotation</source>
        <translation>旋转前</translation>
    </message>
    <message>
        <source>After rotation</source>
        <translation>旋转后</translation>
    </message>
    <message>
        <source>channel rank (largest first)</source>
        <translation>通道排名（从大到小）</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>top-%1: %2</source>
        <translation>前 %1：%2</translation>
    </message>
    <message>
        <source>channel %1: %2 = %3</source>
        <translation>通道 %1：%2 = %3</translation>
    </message>
    <message>
        <source>|x| before rotation</source>
        <translation>旋转前的 |x|</translation>
    </message>
    <message>
        <source>|x| after rotation</source>
        <translation>旋转后的 |x|</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Per-layer summary (no data)</source>
        <translation>逐层汇总（无数据）</translation>
    </message>
    <message>
        <source>%1 input across layers</source>
        <translation>各层 %1 输入</translation>
    </message>
    <message>
        <source>before rotation</source>
        <translation>旋转前</translation>
    </message>
    <message>
        <source>after rotation</source>
        <translation>旋转后</translation>
    </message>
    <message>
        <source>layer %1: max |x| %2 → %3, kurtosis %4 → %5</source>
        <translation>第 %1 层：最大 |x| %2 → %3，峰度 %4 → %5</translation>
    </message>
    <message>
        <source>per-channel max |x|</source>
        <translation>逐通道最大 |x|</translation>
    </message>
    <message>
        <source>Per-channel max |x| by layer (no data)</source>
        <translation>各层逐通道最大 |x|（无数据）</translation>
    </message>
    <message>
        <source>Per-channel max |x| of %1 input, by layer</source>
        <translation>各层 %1 输入的逐通道最大 |x|</translation>
    </message>
    <message>
        <source>activation value</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>Value histogram, %1</source>
        <translation>数值直方图，%1</translation>
    </message>
    <message>
        <source>Value histogram (no data)</source>
        <translation>数值直方图（无数据）</translation>
    </message>
    <message>
        <source>density</source>
        <translation>密度</translation>
    </message>
</context>
<context>
    <name>jq::ui::CalibrationPanel</name>
    <message>
        <source>FP (no quantization)</source>
        <translation>FP（不量化）</translation>
    </message>
    <message>
        <source>The unquantized model: the reference perplexity</source>
        <translation>未量化模型：作为参考的困惑度</translation>
    </message>
    <message>
        <source>RTN</source>
        <translation>RTN</translation>
    </message>
    <message>
        <source>Round-to-nearest quantization without any rotation</source>
        <translation>不做任何旋转的就近舍入量化</translation>
    </message>
    <message>
        <source>SmoothQuant</source>
        <translation>SmoothQuant</translation>
    </message>
    <message>
        <source>Moves activation scale into the weights before quantizing</source>
        <translation>量化前把激活的缩放迁移到权重中</translation>
    </message>
    <message>
        <source>QuaRot</source>
        <translation>QuaRot</translation>
    </message>
    <message>
        <source>Random Hadamard rotations R1/R2, nothing learned</source>
        <translation>随机 Hadamard 旋转 R1/R2，不做学习</translation>
    </message>
    <message>
        <source>DartQuant</source>
        <translation>DartQuant</translation>
    </message>
    <message>
        <source>R1 learned with the Whip loss on rows pooled from all layers (QR-Orth)</source>
        <translation>在汇集所有层的行上用 Whip 损失学习 R1（QR 正交化）</translation>
    </message>
    <message>
        <source>Independent R1</source>
        <translation>逐层独立 R1</translation>
    </message>
    <message>
        <source>R1 optimized layer by layer, each layer on its own data (greedy)</source>
        <translation>逐层优化 R1，每层只用本层数据（贪心）</translation>
    </message>
    <message>
        <source>Joint R1</source>
        <translation>联合 R1</translation>
    </message>
    <message>
        <source>One global R1 optimized on the sum of all layers&apos; objectives</source>
        <translation>以所有层目标之和联合优化一个全局 R1</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>W</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>A</source>
        <translation>激活</translation>
    </message>
    <message>
        <source>Bits:</source>
        <translation>位宽：</translation>
    </message>
    <message>
        <source>GPTQ</source>
        <translation>GPTQ</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <source>Calibration data</source>
        <translation>校准数据</translation>
    </message>
    <message>
        <source>built-in corpus</source>
        <translation>内置语料</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Text (*.txt *.raw *.parquet);;All files (*)</source>
        <translation>文本 (*.txt *.raw *.parquet);;所有文件 (*)</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Windows:</source>
        <translation>窗口数：</translation>
    </message>
    <message>
        <source>Tokens per window:</source>
        <translation>每窗口词元数：</translation>
    </message>
    <message>
        <source>Rotation training</source>
        <translation>旋转训练</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>轮数：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>SGD (momentum 0.9)</source>
        <translation>SGD（动量 0.9）</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>优化器：</translation>
    </message>
    <message>
        <source>Whip</source>
        <translation>Whip</translation>
    </message>
    <message>
        <source>SWD (sliced Wasserstein)</source>
        <translation>SWD（切片 Wasserstein）</translation>
    </message>
    <message>
        <source>Loss:</source>
        <translation>损失：</translation>
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
        <translation>设备：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>automatic (runs folder)</source>
        <translation>自动（运行记录文件夹）</translation>
    </message>
    <message>
        <source>Save run to:</source>
        <translation>运行保存到：</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Calibrate, quantize and evaluate every checked method (F5)</source>
        <translation>对每个选中的方法进行校准、量化和评估（F5）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Loss before</source>
        <translation>优化前损失</translation>
    </message>
    <message>
        <source>Loss after</source>
        <translation>优化后损失</translation>
    </message>
    <message>
        <source>Quant. error before</source>
        <translation>旋转前量化误差</translation>
    </message>
    <message>
        <source>Quant. error after</source>
        <translation>旋转后量化误差</translation>
    </message>
    <message>
        <source>Per-layer metrics</source>
        <translation>逐层指标</translation>
    </message>
    <message>
        <source>Quantization error per layer</source>
        <translation>逐层量化误差</translation>
    </message>
    <message>
        <source>Open a model first</source>
        <translation>请先打开模型</translation>
    </message>
    <message>
        <source>Check at least one method</source>
        <translation>请至少选择一种方法</translation>
    </message>
    <message>
        <source>Calibration loss (SWD)</source>
        <translation>校准损失（SWD）</translation>
    </message>
    <message>
        <source>Calibration loss (Whip)</source>
        <translation>校准损失（Whip）</translation>
    </message>
    <message>
        <source>optimizer step</source>
        <translation>优化步数</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Calibration cancelled.</source>
        <translation>校准已取消。</translation>
    </message>
    <message>
        <source>Activation quantization error per layer</source>
        <translation>逐层激活量化误差</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>relative MSE</source>
        <translation>相对均方误差</translation>
    </message>
    <message>
        <source>no rotation</source>
        <translation>无旋转</translation>
    </message>
    <message>
        <source>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</source>
        <translation>文本文件，或在 Hugging Face 缓存中查找的数据集 id：wikitext2、ptb 或 c4，可附带划分（例如 wikitext2:train）</translation>
    </message>
</context>
<context>
    <name>jq::ui::ExportDialog</name>
    <message>
        <source>Export Figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>PNG image</source>
        <translation>PNG 图像</translation>
    </message>
    <message>
        <source>SVG vector drawing</source>
        <translation>SVG 矢量图</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>PDF 文档</translation>
    </message>
    <message>
        <source>CSV data</source>
        <translation>CSV 数据</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>分辨率：</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <source>Font:</source>
        <translation>字体：</translation>
    </message>
    <message>
        <source>Figures (*.png *.svg *.pdf);;Data (*.csv)</source>
        <translation>图表 (*.png *.svg *.pdf);;数据 (*.csv)</translation>
    </message>
</context>
<context>
    <name>jq::ui::HeatmapPlot</name>
    <message>
        <source>token %1, channel %2: %3</source>
        <translation>词元 %1，通道 %2：%3</translation>
    </message>
</context>
<context>
    <name>jq::ui::LogPanel</name>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>… %1 older messages were skipped</source>
        <translation>… 跳过了 %1 条较早的消息</translation>
    </message>
</context>
<context>
    <name>jq::ui::MainWindow</name>
    <message>
        <source>JointQuant Workbench</source>
        <translation>JointQuant 工作台</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Run…</source>
        <translation>打开运行记录(&amp;R)…</translation>
    </message>
    <message>
        <source>Recent &amp;Models</source>
        <translation>最近的模型(&amp;M)</translation>
    </message>
    <message>
        <source>Recent R&amp;uns</source>
        <translation>最近的运行记录(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Calibrate</source>
        <translation>校准(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;ancel Job</source>
        <translation>取消任务(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About JointQuant Workbench</source>
        <translation>关于 JointQuant 工作台(&amp;A)</translation>
    </message>
    <message>
        <source>About JointQuant Workbench</source>
        <translation>关于 JointQuant 工作台</translation>
    </message>
    <message>
        <source>&lt;h3&gt;JointQuant Workbench %1&lt;/h3&gt;&lt;p&gt;W4A4 quantization of Llama-family models with learned rotations (QuaRot, SpinQuant, DartQuant, joint and independent R1).&lt;/p&gt;&lt;p&gt;Engine: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;JointQuant 工作台 %1&lt;/h3&gt;&lt;p&gt;使用学习得到的旋转（QuaRot、SpinQuant、DartQuant、联合与逐层独立 R1）对 Llama 系列模型进行 W4A4 量化。&lt;/p&gt;&lt;p&gt;计算引擎：%2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running job (Esc)</source>
        <translation>停止当前任务（Esc）</translation>
    </message>
    <message>
        <source>Open Checkpoint Folder</source>
        <translation>打开检查点文件夹</translation>
    </message>
    <message>
        <source>Open Run</source>
        <translation>打开运行记录</translation>
    </message>
    <message>
        <source>Runs (*.h5 *.hdf5 *.json);;All files (*)</source>
        <translation>运行记录 (*.h5 *.hdf5 *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loading %1</source>
        <translation>正在加载 %1</translation>
    </message>
    <message>
        <source>Wait for the running job to finish, or cancel it.</source>
        <translation>请等待当前任务完成，或将其取消。</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>正在打开 %1</translation>
    </message>
    <message>
        <source>The language changes when the workbench is started again.</source>
        <translation>重新启动工作台后语言才会改变。</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1：完成</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1：已取消</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1：失败</translation>
    </message>
</context>
<context>
    <name>jq::ui::ModelPanel</name>
    <message>
        <source>Open Checkpoint Folder…</source>
        <translation>打开检查点文件夹…</translation>
    </message>
    <message>
        <source>A folder with config.json and *.safetensors (a Hugging Face Llama checkpoint)</source>
        <translation>包含 config.json 和 *.safetensors 的文件夹（Hugging Face 格式的 Llama 检查点）</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>架构：</translation>
    </message>
    <message>
        <source>Hidden size:</source>
        <translation>隐藏维度：</translation>
    </message>
    <message>
        <source>MLP size:</source>
        <translation>MLP 维度：</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <source>Attention heads:</source>
        <translation>注意力头数：</translation>
    </message>
    <message>
        <source>KV heads:</source>
        <translation>KV 头数：</translation>
    </message>
    <message>
        <source>Head dimension:</source>
        <translation>头维度：</translation>
    </message>
    <message>
        <source>Vocabulary:</source>
        <translation>词表大小：</translation>
    </message>
    <message>
        <source>Max positions:</source>
        <translation>最大位置数：</translation>
    </message>
    <message>
        <source>RoPE:</source>
        <translation>RoPE：</translation>
    </message>
    <message>
        <source>RMSNorm ε:</source>
        <translation>RMSNorm ε：</translation>
    </message>
    <message>
        <source>Tied embeddings:</source>
        <translation>共享词嵌入：</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>规模</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>参数量：</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <source>Inspectable inputs:</source>
        <translation>可查看的输入：</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>θ = %1</source>
        <translation>θ = %1</translation>
    </message>
    <message>
        <source>θ = %1, %2</source>
        <translation>θ = %1，%2</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Memory the weights need: all of them on one device, or layer by layer (weights stay in host memory and one decoder layer at a time goes to the GPU)</source>
        <translation>权重所需内存：全部放在一个设备上，或逐层放置（权重留在主机内存中，每次只把一个解码层送到 GPU）</translation>
    </message>
    <message>
        <source>Memory for the weights:</source>
        <translation>权重所需内存：</translation>
    </message>
    <message>
        <source>%1, layer by layer</source>
        <translation>%1，逐层</translation>
    </message>
    <message>
        <source>%1, all layers</source>
        <translation>%1，全部层</translation>
    </message>
    <message>
        <source>Hugging Face cache</source>
        <translation>Hugging Face 缓存</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Models cached by huggingface_hub, transformers or jointquant (HF_HUB_CACHE, else HF_HOME/hub). Double-click one to load it.</source>
        <translation>由 huggingface_hub、transformers 或 jointquant 缓存的模型（HF_HUB_CACHE，否则为 HF_HOME/hub）。双击即可加载。</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Load the selected snapshot</source>
        <translation>加载选中的快照</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>List the cache again</source>
        <translation>重新列出缓存</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <source>Fetch a model from the Hugging Face Hub into this cache (resumable, checksums verified), as huggingface_hub lays it out</source>
        <translation>从 Hugging Face Hub 下载模型到此缓存（可断点续传，校验和经过验证），目录结构与 huggingface_hub 相同</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the download; the next download of this model resumes it</source>
        <translation>停止下载；下次下载此模型时会从断点继续</translation>
    </message>
    <message>
        <source>Cache: %1 (HF_HUB_OFFLINE: no downloads)</source>
        <translation>缓存：%1（已设置 HF_HUB_OFFLINE：不下载）</translation>
    </message>
    <message>
        <source>Cache: %1</source>
        <translation>缓存：%1</translation>
    </message>
    <message>
        <source>Cannot list the Hugging Face cache: %1</source>
        <translation>无法列出 Hugging Face 缓存：%1</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>no %1</source>
        <translation>缺少 %1</translation>
    </message>
    <message>
        <source>%1
commit %2
%3 files, %4</source>
        <translation>%1
提交 %2
%3 个文件，%4</translation>
    </message>
    <message>
        <source>No models cached yet.</source>
        <translation>尚无缓存的模型。</translation>
    </message>
    <message>
        <source>Download from the Hugging Face Hub</source>
        <translation>从 Hugging Face Hub 下载</translation>
    </message>
    <message>
        <source>Model id:</source>
        <translation>模型 id：</translation>
    </message>
    <message>
        <source>Revision:</source>
        <translation>版本：</translation>
    </message>
    <message>
        <source>The checkpoint files (*.json, *.safetensors, tokenizer.model) go into %1. Gated and private models need a token: HF_TOKEN, or `huggingface-cli login`.</source>
        <translation>检查点文件（*.json、*.safetensors、tokenizer.model）将保存到 %1。受限和私有模型需要令牌：HF_TOKEN，或 `huggingface-cli login`。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Downloading %1</source>
        <translation>正在下载 %1</translation>
    </message>
    <message>
        <source>Downloaded %1 into the Hugging Face cache</source>
        <translation>已将 %1 下载到 Hugging Face 缓存</translation>
    </message>
    <message>
        <source>Wait for the running job to finish, or cancel it.</source>
        <translation>请等待当前任务完成，或将其取消。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
</context>
<context>
    <name>jq::ui::PlotFrame</name>
    <message>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <source>Show all data again (drag to zoom in, right-click to zoom out)</source>
        <translation>重新显示全部数据（拖动放大，右键缩小）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the figure and its data to the clipboard</source>
        <translation>把图表及其数据复制到剪贴板</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the figure as PNG, SVG or PDF, or its data as CSV</source>
        <translation>将图表保存为 PNG、SVG 或 PDF，或将数据保存为 CSV</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Export Figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>Copied the figure and its data</source>
        <translation>已复制图表及其数据</translation>
    </message>
</context>
<context>
    <name>jq::ui::ReportBuilder</name>
    <message>
        <source>Generated %1 from %2</source>
        <translation>生成于 %1，来源：%2</translation>
    </message>
    <message>
        <source>JointQuant report</source>
        <translation>JointQuant 报告</translation>
    </message>
    <message>
        <source>(continued)</source>
        <translation>（续）</translation>
    </message>
    <message>
        <source>1. Runs and settings</source>
        <translation>1. 运行与设置</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Table 1: the runs in this report.</source>
        <translation>表 1：本报告包含的运行。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Stored rotation</source>
        <translation>保存的旋转</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>设置项</translation>
    </message>
    <message>
        <source>The run files hold no configuration.</source>
        <translation>运行文件中没有配置。</translation>
    </message>
    <message>
        <source>Table 2: settings of each run, as stored in the run file&apos;s configuration.</source>
        <translation>表 2：各次运行的设置（取自运行文件中保存的配置）。</translation>
    </message>
    <message>
        <source>2. Perplexity</source>
        <translation>2. 困惑度</translation>
    </message>
    <message>
        <source>The run files hold no perplexity measurements.</source>
        <translation>运行文件中没有困惑度测量结果。</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Perplexity (%1)</source>
        <translation>困惑度（%1）</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>Table 3: perplexity of every method (lower is better), exp of the mean next-token loss over non-overlapping windows of the evaluation text.</source>
        <translation>表 3：各方法的困惑度（越低越好），即评测文本各个不重叠窗口上下一词元平均损失的指数。</translation>
    </message>
    <message>
        <source>Perplexity by method (%1)</source>
        <translation>各方法的困惑度（%1）</translation>
    </message>
    <message>
        <source>method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>perplexity (log scale)</source>
        <translation>困惑度（对数坐标）</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>Figure 1: perplexity by method on a logarithmic scale; unrotated W4A4 models are often orders of magnitude worse than the rest.</source>
        <translation>图 1：各方法的困惑度（对数坐标）；未旋转的 W4A4 模型往往比其余方法差几个数量级。</translation>
    </message>
    <message>
        <source>Figure 1: perplexity by method (lower is better).</source>
        <translation>图 1：各方法的困惑度（越低越好）。</translation>
    </message>
    <message>
        <source>3. Calibration</source>
        <translation>3. 校准</translation>
    </message>
    <message>
        <source>Table 4: time (all stages except evaluation); Whip loss summed over layers with the method&apos;s R1 at the start and the end of its optimization (one value for methods that learn nothing); mean relative quantization error of the activations over layers.</source>
        <translation>表 4：耗时（除评测外的所有阶段）；使用该方法的 R1 时各层 Whip 损失之和，分别为优化开始与结束时的值（不学习的方法只有一个值）；各层激活相对量化误差的平均值。</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>Start loss</source>
        <translation>初始损失</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <source>Quant. error</source>
        <translation>量化误差</translation>
    </message>
    <message>
        <source>R1 calibration loss (%1)</source>
        <translation>R1 校准损失（%1）</translation>
    </message>
    <message>
        <source>R1 calibration loss</source>
        <translation>R1 校准损失</translation>
    </message>
    <message>
        <source>optimizer step</source>
        <translation>优化步</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>No method of these runs learned a rotation, so there are no loss curves.</source>
        <translation>这些运行中没有方法学习旋转，因此没有损失曲线。</translation>
    </message>
    <message>
        <source>Figure 2: loss of the learned R1 per optimizer step, one curve per method.</source>
        <translation>图 2：学习得到的 R1 在每个优化步的损失，每种方法一条曲线。</translation>
    </message>
    <message>
        <source>Whip loss per layer (%1)</source>
        <translation>各层 Whip 损失（%1）</translation>
    </message>
    <message>
        <source>Whip loss per layer</source>
        <translation>各层 Whip 损失</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Activation quantization error per layer (%1)</source>
        <translation>各层激活量化误差（%1）</translation>
    </message>
    <message>
        <source>Activation quantization error per layer</source>
        <translation>各层激活量化误差</translation>
    </message>
    <message>
        <source>relative MSE (log scale)</source>
        <translation>相对 MSE（对数坐标）</translation>
    </message>
    <message>
        <source>relative MSE</source>
        <translation>相对 MSE</translation>
    </message>
    <message>
        <source>Hadamard start</source>
        <translation>Hadamard 初始值</translation>
    </message>
    <message>
        <source>Figure 3: per layer, the Whip loss of each method&apos;s R1 (top; grey: the random Hadamard it starts from) and the relative error of the quantized activations after each method (bottom).</source>
        <translation>图 3：每层上各方法 R1 的 Whip 损失（上；灰色为作为起点的随机 Hadamard 矩阵），以及各方法下量化激活的相对误差（下）。</translation>
    </message>
    <message>
        <source>4. Activation outliers</source>
        <translation>4. 激活离群值</translation>
    </message>
    <message>
        <source>Run %1:</source>
        <translation>运行 %1：</translation>
    </message>
    <message>
        <source>%1 holds no activation statistics, and its model folder is not available to compute them.</source>
        <translation>%1 中没有激活统计，且找不到其模型文件夹，无法计算。</translation>
    </message>
    <message>
        <source>%1 holds no activation statistics.</source>
        <translation>%1 中没有激活统计。</translation>
    </message>
    <message>
        <source>the run&apos;s rotation</source>
        <translation>该运行的旋转</translation>
    </message>
    <message>
        <source>the %1 rotation</source>
        <translation>%1 的旋转</translation>
    </message>
    <message>
        <source>Statistics of the inputs of each decoder layer&apos;s linear modules, as stored in the run file; &quot;after&quot; is the model rotated by %1.</source>
        <translation>各解码层线性模块输入的统计，取自运行文件；“旋转后”指经 %1 旋转的模型。</translation>
    </message>
    <message>
        <source>The run file stores no activation statistics; they were computed for this report from %1 windows of %2 tokens of calibration text through the model with its RMSNorm weights fused into the linear layers (&quot;before&quot;) and through the same model rotated by %3 stored in the file (&quot;after&quot;), so the two differ by the rotation alone.</source>
        <translation>运行文件中没有激活统计；本报告用 %1 个、每个 %2 词元的校准文本窗口计算得到：分别通过把 RMSNorm 权重融合进线性层后的模型（“旋转前”）和经文件中保存的 %3 旋转后的同一模型（“旋转后”），因此两者只相差旋转本身。</translation>
    </message>
    <message>
        <source>Table %1: per-layer outlier summary: the largest channel max |x|, its ratio to the median channel (max/median) and the mean channel kurtosis (a Gaussian channel has 3), before and after rotation.</source>
        <translation>表 %1：各层离群值概况：最大通道的 max |x|、它与中位通道之比（max/median）以及通道峰度均值（高斯通道为 3），旋转前后对比。</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>max |x| before</source>
        <translation>旋转前 max |x|</translation>
    </message>
    <message>
        <source>after</source>
        <translation>旋转后</translation>
    </message>
    <message>
        <source>max/median before</source>
        <translation>旋转前 max/median</translation>
    </message>
    <message>
        <source>kurtosis before</source>
        <translation>旋转前峰度</translation>
    </message>
    <message>
        <source>%1 input: max/median channel</source>
        <translation>%1 输入：最大/中位通道比</translation>
    </message>
    <message>
        <source>ratio (log scale)</source>
        <translation>比值（对数坐标）</translation>
    </message>
    <message>
        <source>ratio</source>
        <translation>比值</translation>
    </message>
    <message>
        <source>before rotation</source>
        <translation>旋转前</translation>
    </message>
    <message>
        <source>after rotation</source>
        <translation>旋转后</translation>
    </message>
    <message>
        <source>Figure %1: how far the largest channel stands out from the median channel, per layer and module input, before and after rotation.</source>
        <translation>图 %1：各层、各模块输入中最大通道相对中位通道的突出程度，旋转前后对比。</translation>
    </message>
    <message>
        <source>layer %1 %2 input</source>
        <translation>第 %1 层 %2 输入</translation>
    </message>
    <message>
        <source>max |x| per channel, before</source>
        <translation>各通道 max |x|（旋转前）</translation>
    </message>
    <message>
        <source>max |x| per channel, after</source>
        <translation>各通道 max |x|（旋转后）</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>max |x|</source>
        <translation>max |x|</translation>
    </message>
    <message>
        <source>Histogram of x, before</source>
        <translation>x 的直方图（旋转前）</translation>
    </message>
    <message>
        <source>Histogram of x, after</source>
        <translation>x 的直方图（旋转后）</translation>
    </message>
    <message>
        <source>x</source>
        <translation>x</translation>
    </message>
    <message>
        <source>count (log scale)</source>
        <translation>计数（对数坐标）</translation>
    </message>
    <message>
        <source>Figure %1: %2, the site with the strongest outliers before rotation: per-channel max |x| and the histogram of all values, before (left) and after (right) rotation, on shared scales.</source>
        <translation>图 %1：%2，即旋转前离群值最强的位置：各通道 max |x| 与全部数值的直方图，旋转前（左）与旋转后（右），坐标尺度相同。</translation>
    </message>
    <message>
        <source>Table 2: settings of each run, as stored in the run file&apos;s configuration; ▸ marks the settings that differ between runs.</source>
        <translation>表 2：各次运行的设置（取自运行文件中保存的配置）；▸ 标出各次运行之间不同的设置。</translation>
    </message>
    <message>
        <source>The activation statistics of %1 are identical to those of %2 shown above (the same rotation).</source>
        <translation>%1 的激活统计与上面 %2 的完全相同（旋转相同）。</translation>
    </message>
</context>
<context>
    <name>jq::ui::ResultsPanel</name>
    <message>
        <source>Open Run…</source>
        <translation>打开运行记录…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the selected run from the comparison</source>
        <translation>从对比中移除选中的运行记录</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>Quantization error</source>
        <translation>量化误差</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Unrotated W4A4 perplexities are orders of magnitude above the rest</source>
        <translation>未旋转的 W4A4 困惑度比其余方法高出几个数量级</translation>
    </message>
    <message>
        <source>Runs in the comparison</source>
        <translation>参与对比的运行记录</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Quant. error</source>
        <translation>量化误差</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>No results yet: run a calibration or open a run</source>
        <translation>暂无结果：请运行校准或打开运行记录</translation>
    </message>
    <message>
        <source>method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>%1 by method (%2)</source>
        <translation>各方法的%1（%2）</translation>
    </message>
    <message>
        <source>%1 by method</source>
        <translation>各方法的%1</translation>
    </message>
</context>
<context>
    <name>jq::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
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
        <translation>设备：</translation>
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
        <translation>模型数据类型：</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <source>built-in corpus</source>
        <translation>内置语料</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Calibration data:</source>
        <translation>校准数据：</translation>
    </message>
    <message>
        <source>Weight bits:</source>
        <translation>权重位宽：</translation>
    </message>
    <message>
        <source>Activation bits:</source>
        <translation>激活位宽：</translation>
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
        <translation>权重量化器：</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>轮数：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>SGD (momentum 0.9)</source>
        <translation>SGD（动量 0.9）</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>优化器：</translation>
    </message>
    <message>
        <source>Whip</source>
        <translation>Whip</translation>
    </message>
    <message>
        <source>SWD (sliced Wasserstein)</source>
        <translation>SWD（切片 Wasserstein）</translation>
    </message>
    <message>
        <source>Loss:</source>
        <translation>损失：</translation>
    </message>
    <message>
        <source>Restore DartQuant Defaults</source>
        <translation>恢复 DartQuant 默认值</translation>
    </message>
    <message>
        <source>SGD, learning rate 1.5e-3, 10 epochs, Whip loss, W4A4 with RTN weights</source>
        <translation>SGD，学习率 1.5e-3，10 轮，Whip 损失，W4A4，权重使用 RTN</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new language applies to windows opened after the change; restart to translate this one.</source>
        <translation>新语言只对之后打开的窗口生效；重新启动即可翻译当前窗口。</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, optionally with a split (e.g. wikitext2:train)</source>
        <translation>文本文件，或在 Hugging Face 缓存中查找的数据集 id：wikitext2、ptb 或 c4，可附带划分（例如 wikitext2:train）</translation>
    </message>
</context>
<context>
    <name>jq::ui::SurfacePlot</name>
    <message>
        <source>channel block (%1 channels each)</source>
        <translation>通道块（每块 %1 个通道）</translation>
    </message>
    <message>
        <source>token block</source>
        <translation>词元块</translation>
    </message>
    <message>
        <source>Loading 3D view…</source>
        <translation>正在加载三维视图…</translation>
    </message>
    <message>
        <source>The 3D surface needs OpenGL, which this display does not provide.
The heatmap tab shows the same data.</source>
        <translation>三维曲面需要 OpenGL，但当前显示环境不支持。
热力图标签页显示的是相同的数据。</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>|activation|</source>
        <translation>|激活值|</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Workbench for W4A4 quantization with learned rotations</source>
        <translation>基于学习旋转的 W4A4 量化工作台</translation>
    </message>
    <message>
        <source>User interface language: en or zh_CN.</source>
        <translation>界面语言：en 或 zh_CN。</translation>
    </message>
    <message>
        <source>Open this checkpoint folder at start.</source>
        <translation>启动时打开此检查点文件夹。</translation>
    </message>
    <message>
        <source>Render the window to this PNG and exit.</source>
        <translation>将窗口渲染为此 PNG 文件后退出。</translation>
    </message>
    <message>
        <source>Panel to show: model, activations, calibration, results, log.</source>
        <translation>要显示的面板：model、activations、calibration、results、log。</translation>
    </message>
    <message>
        <source>Activations tab: channels, heatmap, layers, box, histogram, 3d.</source>
        <translation>激活面板的标签页：channels、heatmap、layers、box、histogram、3d。</translation>
    </message>
    <message>
        <source>light or dark (default: the saved setting).</source>
        <translation>light 或 dark（默认：已保存的设置）。</translation>
    </message>
    <message>
        <source>Window size for --screenshot, e.g. 1400x880.</source>
        <translation>--screenshot 使用的窗口尺寸，例如 1400x880。</translation>
    </message>
    <message>
        <source>Ignore saved settings (use a temporary settings file).</source>
        <translation>忽略已保存的设置（使用临时设置文件）。</translation>
    </message>
    <message>
        <source>With --screenshot PREFIX: save every panel and tab as PREFIX-&lt;view&gt;.png.</source>
        <translation>与 --screenshot PREFIX 一起使用：把每个面板和标签页保存为 PREFIX-&lt;视图&gt;.png。</translation>
    </message>
    <message>
        <source>Run on synthetic data (no model is computed); with --screenshot, also take the tour.</source>
        <translation>使用合成数据运行（不计算任何模型）；与 --screenshot 一起使用时，也会走一遍导览。</translation>
    </message>
    <message>
        <source>With --screenshot: inspect a layer and run two short calibrations first.</source>
        <translation>与 --screenshot 一起使用：先查看一层并运行两次简短的校准。</translation>
    </message>
    <message>
        <source>Layer the tour inspects (default: 11 with --demo, else 1).</source>
        <translation>导览查看的层（默认：使用 --demo 时为 11，否则为 1）。</translation>
    </message>
    <message>
        <source>Evaluation text for calibrations, or a data set id (wikitext2, ptb, c4[:split]) from the Hugging Face cache (default: the demo corpus next to the model).</source>
        <translation>校准使用的评估文本，或 Hugging Face 缓存中的数据集 id（wikitext2、ptb、c4[:划分]）（默认：模型旁边的演示语料）。</translation>
    </message>
    <message>
        <source>Open this run file at start (may be repeated); with --screenshot, instead of the tour&apos;s calibrations.</source>
        <translation>启动时打开此运行文件（可重复）；与 --screenshot 一起使用时代替导览中的校准。</translation>
    </message>
    <message>
        <source>Write a report of this run file (more run files may follow) to --out, without a window.</source>
        <translation>把此运行文件（后面可跟更多运行文件）的报告写入 --out，不显示窗口。</translation>
    </message>
    <message>
        <source>Report file: .pdf, .html, or .png (one file per page; %d is the page number).</source>
        <translation>报告文件：.pdf、.html 或 .png（每页一个文件；%d 为页码）。</translation>
    </message>
    <message>
        <source>Resolution of PNG report pages.</source>
        <translation>PNG 报告页面的分辨率。</translation>
    </message>
    <message>
        <source>In a report, do not compute activation statistics a run file lacks from its model.</source>
        <translation>生成报告时，不根据模型计算运行文件中缺少的激活统计。</translation>
    </message>
    <message>
        <source>With --report: further run files.</source>
        <translation>与 --report 一起使用：更多运行文件。</translation>
    </message>
</context>
</TS>
