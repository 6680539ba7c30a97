<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>Qt for Python: the window, images, translations</source>
        <translation>Qt for Python：窗口、图像与翻译</translation>
    </message>
    <message>
        <source>PySide6&apos;s binding runtime</source>
        <translation>PySide6 的绑定运行库</translation>
    </message>
    <message>
        <source>HTTP client</source>
        <translation>HTTP 客户端</translation>
    </message>
    <message>
        <source>asyncio on the Qt event loop</source>
        <translation>在 Qt 事件循环上运行 asyncio</translation>
    </message>
    <message>
        <source>image decoding and encoding</source>
        <translation>图像解码与编码</translation>
    </message>
    <message>
        <source>where settings and the library live</source>
        <translation>确定设置和图库的存放位置</translation>
    </message>
    <message>
        <source>API keys in the system keychain</source>
        <translation>在系统钥匙串中保存 API 密钥</translation>
    </message>
    <message>
        <source>About Qwen Studio</source>
        <translation>关于 Qwen Studio</translation>
    </message>
    <message>
        <source>Version, links and licences</source>
        <translation>版本、链接与许可证</translation>
    </message>
    <message>
        <source>About and licences</source>
        <translation>关于与许可证</translation>
    </message>
    <message>
        <source>What Qwen Studio is, where to find it, and the licences of the software it bundles</source>
        <translation>Qwen Studio 简介、项目地址，以及随附软件的许可证</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the About window</source>
        <translation>关闭“关于”窗口</translation>
    </message>
    <message>
        <source>Qt and PySide6 are used under the GNU LGPL v3: they are loaded as separate shared libraries, which you may replace with your own builds. Their source is available from qt.io and download.qt.io.</source>
        <translation>Qt 与 PySide6 依据 GNU LGPL v3 使用：它们作为独立的共享库加载，你可以替换为自行编译的版本。其源代码可从 qt.io 和 download.qt.io 获取。</translation>
    </message>
    <message>
        <source>Edit photos by describing the change, with Alibaba’s Qwen image models.</source>
        <translation>用文字描述修改来编辑照片，由阿里巴巴通义千问（Qwen）图像模型驱动。</translation>
    </message>
    <message>
        <source>Qwen image editing on Alibaba Cloud Model Studio</source>
        <translation>阿里云百炼上的通义千问图像编辑</translation>
    </message>
    <message>
        <source>Qwen Studio is released under the MIT licence.</source>
        <translation>Qwen Studio 依据 MIT 许可证发布。</translation>
    </message>
    <message>
        <source>Bundled software</source>
        <translation>随附软件</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>软件包</translation>
    </message>
    <message>
        <source>Used for</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Python itself is under the PSF License.</source>
        <translation>Python 本身依据 PSF 许可证发布。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Message banner</source>
        <translation>消息横幅</translation>
    </message>
    <message>
        <source>Problems and notes about the current edit, with a next step</source>
        <translation>关于当前编辑的问题与提示，以及建议的下一步</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>发生了什么</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>What to do next</source>
        <translation>下一步怎么做</translation>
    </message>
    <message>
        <source>Suggested action</source>
        <translation>建议的操作</translation>
    </message>
    <message>
        <source>Do the suggested next step</source>
        <translation>执行建议的下一步</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Dismiss message</source>
        <translation>关闭消息</translation>
    </message>
    <message>
        <source>Hide this message</source>
        <translation>隐藏此消息</translation>
    </message>
    <message>
        <source>&lt;b&gt;{kind}:&lt;/b&gt; {message}</source>
        <translation>&lt;b&gt;{kind}：&lt;/b&gt;{message}</translation>
    </message>
</context>
<context>
    <name>BatchModel</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Done earlier</source>
        <translation>之前已完成</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>(the batch prompt)</source>
        <translation>（批量提示词）</translation>
    </message>
    <message>
        <source>Double-click to give this photo its own prompt</source>
        <translation>双击可为这张照片单独设置提示词</translation>
    </message>
</context>
<context>
    <name>BatchPanel</name>
    <message>
        <source>Batch queue</source>
        <translation>批量队列</translation>
    </message>
    <message>
        <source>Every photo of the batch with its status and result</source>
        <translation>批量中的每张照片及其状态和结果</translation>
    </message>
    <message>
        <source>Interrupted batch</source>
        <translation>中断的批量</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Resume the interrupted batch</source>
        <translation>继续中断的批量</translation>
    </message>
    <message>
        <source>Dismiss the resume offer</source>
        <translation>忽略继续处理的提示</translation>
    </message>
    <message>
        <source>Not now (the batch stays in the history)</source>
        <translation>以后再说（批量会保留在历史记录中）</translation>
    </message>
    <message>
        <source>Send the photos the interrupted batch has not finished</source>
        <translation>继续发送中断的批量中尚未完成的照片</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批量</translation>
    </message>
    <message>
        <source>Batch progress</source>
        <translation>批量进度</translation>
    </message>
    <message>
        <source>No batch yet</source>
        <translation>尚无批量任务</translation>
    </message>
    <message>
        <source>Batch progress details</source>
        <translation>批量进度详情</translation>
    </message>
    <message>
        <source>Edits at once</source>
        <translation>同时编辑数</translation>
    </message>
    <message>
        <source>How many photos are sent at the same time (1–16). When the service says &apos;too many requests&apos; the batch slows down by itself and speeds up again.</source>
        <translation>同时发送的照片数量（1–16）。当服务提示“请求过多”时，批量会自动放慢，之后再自动加快。</translation>
    </message>
    <message>
        <source>At once</source>
        <translation>同时处理</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Start no new photos; those in flight finish</source>
        <translation>不再开始新的照片；进行中的会继续完成</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <source>Queue every failed photo again</source>
        <translation>将所有失败的照片重新加入队列</translation>
    </message>
    <message>
        <source>Cancel all</source>
        <translation>全部取消</translation>
    </message>
    <message>
        <source>Stop the batch now, aborting photos in flight</source>
        <translation>立即停止批量，中止进行中的照片</translation>
    </message>
    <message>
        <source>Export gallery…</source>
        <translation>导出画廊…</translation>
    </message>
    <message>
        <source>Write the batch&apos;s results as a gallery folder</source>
        <translation>将此批量的结果导出为画廊文件夹</translation>
    </message>
    <message>
        <source>File ▸ Show batch queue brings it back (Ctrl+B)</source>
        <translation>可通过 文件 ▸ 显示批量队列 重新打开（Ctrl+B）</translation>
    </message>
    <message>
        <source>Hide the batch queue (File ▸ Show batch queue brings it back)</source>
        <translation>隐藏批量队列（可通过 文件 ▸ 显示批量队列 重新打开）</translation>
    </message>
    <message>
        <source>Hide the batch queue</source>
        <translation>隐藏批量队列</translation>
    </message>
    <message>
        <source>Batch jobs</source>
        <translation>批量任务</translation>
    </message>
    <message>
        <source>One row per photo. Right-click or use the keys: Delete removes or cancels, R retries, F2 edits a waiting photo&apos;s prompt.</source>
        <translation>每行一张照片。右键或使用按键：Delete 移除或取消，R 重试，F2 编辑等待中照片的提示词。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Remove from batch</source>
        <translation>从批量中移除</translation>
    </message>
    <message>
        <source>Edit prompt…</source>
        <translation>编辑提示词…</translation>
    </message>
    <message>
        <source>Batch summary</source>
        <translation>批量摘要</translation>
    </message>
    <message>
        <source>How the finished batch went</source>
        <translation>已完成批量的处理情况</translation>
    </message>
    <message>
        <source>{n} done</source>
        <translation>{n} 张完成</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} 张失败</translation>
    </message>
    <message>
        <source>{n} cancelled</source>
        <translation>{n} 张已取消</translation>
    </message>
    <message>
        <source>{done} of {total} done</source>
        <translation>共 {total} 张，{done} 张完成</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>, {n} finishing</source>
        <translation>，{n} 张即将完成</translation>
    </message>
    <message>
        <source>{n} running</source>
        <translation>{n} 张运行中</translation>
    </message>
    <message>
        <source>{n} saving</source>
        <translation>{n} 张保存中</translation>
    </message>
    <message>
        <source>slowed to {n} at once (service is busy)</source>
        <translation>已放慢到同时 {n} 张（服务繁忙）</translation>
    </message>
    <message>
        <source>{n}/min</source>
        <translation>{n} 张/分钟</translation>
    </message>
    <message>
        <source>about {time} left</source>
        <translation>约剩 {time}</translation>
    </message>
    <message>
        <source>press Run to start</source>
        <translation>点击“运行”开始</translation>
    </message>
    <message>
        <source>{n} skipped (over budget)</source>
        <translation>{n} 张因超出预算跳过</translation>
    </message>
    <message>
        <source>Batch finished:</source>
        <translation>批量完成：</translation>
    </message>
    <message>
        <source>Raise the budget and press Run skipped to send them.</source>
        <translation>提高预算后按“运行已跳过”即可发送它们。</translation>
    </message>
    <message>
        <source>{list}.</source>
        <translation>{list}。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>Failed: {reasons}.</source>
        <translation>失败：{reasons}。</translation>
    </message>
    <message>
        <source>Retry failed sends them again.</source>
        <translation>按“重试失败项”即可重新发送。</translation>
    </message>
    <message>
        <source>Export gallery… writes the results as a folder with an index page.</source>
        <translation>“导出画廊…”会把结果写入一个带索引页的文件夹。</translation>
    </message>
    <message>
        <source>{first} {next}</source>
        <translation>{first}{next}</translation>
    </message>
    <message>
        <source>{n} × {reason} ({files})</source>
        <translation>{n} × {reason}（{files}）</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source> (“{prompt}”)</source>
        <translation>（“{prompt}”）</translation>
    </message>
    <message>
        <source>A batch of {total}{prompt} was interrupted: {done} done, {pending} left.</source>
        <translation>有一个 {total} 张照片的批量{prompt}被中断：{done} 张已完成，还剩 {pending} 张。</translation>
    </message>
</context>
<context>
    <name>BatchUi</name>
    <message>
        <source>&amp;Batch… (a folder, one prompt)</source>
        <translation>批量处理(&amp;B)…（一个文件夹，同一提示词）</translation>
    </message>
    <message>
        <source>Choose a folder: every photo in it gets the same edit</source>
        <translation>选择一个文件夹：其中每张照片都做同样的编辑</translation>
    </message>
    <message>
        <source>Show batch &amp;queue</source>
        <translation>显示批量队列(&amp;Q)</translation>
    </message>
    <message>
        <source>{n} photos dropped; one edit takes at most {limit}.</source>
        <translation>拖入了 {n} 张照片；一次编辑最多使用 {limit} 张。</translation>
    </message>
    <message>
        <source>To give each photo the same edit instead, make them a batch.</source>
        <translation>若要对每张照片做同样的编辑，请改为批量处理。</translation>
    </message>
    <message>
        <source>Make a batch of {n}</source>
        <translation>将 {n} 张照片批量处理</translation>
    </message>
    <message>
        <source>A folder makes a batch</source>
        <translation>文件夹将作为批量任务</translation>
    </message>
    <message>
        <source>{k} photos at once make a batch</source>
        <translation>一次拖入 {k} 张照片将作为批量任务</translation>
    </message>
    <message>
        <source>Your choice makes a batch</source>
        <translation>已按你的选择创建批量任务</translation>
    </message>
    <message>
        <source>{reason}: 1 photo added to the queue below. The prompt and parameters apply to it; press Run to start.</source>
        <translation>{reason}：已将 1 张照片加入下方队列。提示词和参数将应用于它；按“运行”开始。</translation>
    </message>
    <message>
        <source>{reason}: {n} photos added to the queue below. The prompt and parameters apply to each; press Run to start.</source>
        <translation>{reason}：已将 {n} 张照片加入下方队列。提示词和参数将应用于每一张；按“运行”开始。</translation>
    </message>
    <message>
        <source>1 photo added to the running batch.</source>
        <translation>已将 1 张照片加入正在运行的批量任务。</translation>
    </message>
    <message>
        <source>{n} photos added to the running batch.</source>
        <translation>已将 {n} 张照片加入正在运行的批量任务。</translation>
    </message>
    <message>
        <source>Skipped {k}:</source>
        <translation>已跳过 {k} 个：</translation>
    </message>
    <message>
        <source>Batch: choose a folder of photos</source>
        <translation>批量处理：选择照片文件夹</translation>
    </message>
    <message>
        <source>Can&apos;t start the batch yet: {problems}.</source>
        <translation>暂时无法开始批量：{problems}。</translation>
    </message>
    <message>
        <source>Describe the change in the Prompt box; it applies to every photo.</source>
        <translation>在提示词框中描述要做的修改；它将用于每一张照片。</translation>
    </message>
    <message>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <source>Run batch ({n})</source>
        <translation>运行批量（{n}）</translation>
    </message>
    <message>
        <source>Run ({n})</source>
        <translation>运行（{n}）</translation>
    </message>
    <message>
        <source>Start the batch of {n} photos (Ctrl+Enter)</source>
        <translation>开始处理 {n} 张照片的批量任务（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Start the edit (Ctrl+Enter)</source>
        <translation>开始编辑（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Qwen Studio</source>
        <translation>Qwen Studio</translation>
    </message>
    <message>
        <source>({n} failed)</source>
        <translation>（{n} 个失败）</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Batch finished: {done} of {total} done</source>
        <translation>批量完成：共 {total} 张，{done} 张完成</translation>
    </message>
    <message>
        <source>, {n} skipped (over budget)</source>
        <translation>，{n} 张因超出预算跳过</translation>
    </message>
    <message>
        <source>, {n} failed</source>
        <translation>，{n} 张失败</translation>
    </message>
    <message>
        <source>Connect to a service to resume the batch.</source>
        <translation>连接服务后才能继续批量处理。</translation>
    </message>
    <message>
        <source>Set up your API key in Settings, then press Resume again.</source>
        <translation>请在设置中填写 API 密钥，然后再次点击“继续”。</translation>
    </message>
    <message>
        <source>Export the batch as a gallery into…</source>
        <translation>将此批量导出为画廊到…</translation>
    </message>
    <message>
        <source>Could not export the gallery: {error}</source>
        <translation>无法导出画廊：{error}</translation>
    </message>
    <message>
        <source>Choose another folder.</source>
        <translation>请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Gallery exported to {path}</source>
        <translation>画廊已导出到 {path}</translation>
    </message>
    <message>
        <source>Open index.html in a browser to look through the batch.</source>
        <translation>在浏览器中打开 index.html 浏览此批量结果。</translation>
    </message>
    <message>
        <source>The budget “{text}” is not an amount in {currency}.</source>
        <translation>预算“{text}”不是以 {currency} 计的金额。</translation>
    </message>
    <message>
        <source>Type an amount such as 5 or 12.50, or leave it empty for no limit.</source>
        <translation>请输入金额，例如 5 或 12.50；留空表示不设上限。</translation>
    </message>
    <message>
        <source>No price per image is known for {model} in {currency}, so a budget cannot be kept.</source>
        <translation>不知道 {model} 以 {currency} 计的单张价格，因此无法控制预算。</translation>
    </message>
    <message>
        <source>Set its price in Settings ▸ Prices per image, or leave the budget empty.</source>
        <translation>请在“设置 ▸ 单张价格”中设置它的价格，或将预算留空。</translation>
    </message>
    <message>
        <source>Type a larger budget to send the skipped photos.</source>
        <translation>请输入更高的预算以发送被跳过的照片。</translation>
    </message>
    <message>
        <source>What the batch has cost so far counts toward it.</source>
        <translation>该批次已产生的花费会计入预算。</translation>
    </message>
    <message>
        <source>The batch has cost {spent} of {budget} already: no photo more fits.</source>
        <translation>该批次已花费 {spent}（预算 {budget}）：再也放不下任何一张照片。</translation>
    </message>
    <message>
        <source>Type a larger budget, then Run skipped.</source>
        <translation>请输入更高的预算，然后按“运行已跳过”。</translation>
    </message>
    <message>
        <source>{file} ({reason})</source>
        <translation>{file}（{reason}）</translation>
    </message>
    <message>
        <source>no photos found in {folder}</source>
        <translation>在 {folder} 中没有找到照片</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Changes</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Every changed pixel in red over the grey original: a region edit leaves everything outside the region untouched (key 4)</source>
        <translation>以红色在灰色原图上标出每个改变的像素：局部编辑不会改动区域以外的任何像素（按键 4）</translation>
    </message>
    <message>
        <source>No pixel changed</source>
        <translation>没有像素改变</translation>
    </message>
    <message>
        <source>{n} pixels changed, all within {w}×{h} at {x},{y}</source>
        <translation>{n} 个像素已改变，全部位于 {x},{y} 处的 {w}×{h} 范围内</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>并排</translation>
    </message>
    <message>
        <source>Wipe</source>
        <translation>滑动对比</translation>
    </message>
    <message>
        <source>Flip</source>
        <translation>切换</translation>
    </message>
    <message>
        <source>Before and after next to each other, zoom and pan kept in sync (key 1)</source>
        <translation>编辑前后并排显示，缩放与平移同步（按键 1）</translation>
    </message>
    <message>
        <source>One image with a divider you drag: before left, after right (key 2)</source>
        <translation>单张图片加可拖动的分隔线：左侧为编辑前，右侧为编辑后（按键 2）</translation>
    </message>
    <message>
        <source>After; hold Space or the mouse button to see before (key 3)</source>
        <translation>显示编辑后；按住空格键或鼠标键查看编辑前（按键 3）</translation>
    </message>
    <message>
        <source>Before and after comparison</source>
        <translation>编辑前后对比</translation>
    </message>
    <message>
        <source>Keys: 1 side by side, 2 wipe, 3 flip, 4 changes; hold Space to see before; Ctrl+0 fit; Ctrl+1 100 %; arrow keys pan (in wipe mode they move the divider).</source>
        <translation>按键：1 并排，2 滑动对比，3 切换，4 变化；按住空格键查看编辑前；Ctrl+0 适应窗口；Ctrl+1 100%；方向键平移（滑动对比模式下移动分隔线）。</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit the whole image in view (Ctrl+0)</source>
        <translation>缩放以显示整张图片（Ctrl+0）</translation>
    </message>
    <message>
        <source>Actual size (100 %): one image pixel per screen pixel (Ctrl+1)</source>
        <translation>实际大小（100 %）：一个图像像素对应一个屏幕像素（Ctrl+1）</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大（Ctrl++）</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小（Ctrl+-）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the result as a file… (Ctrl+S)</source>
        <translation>将结果保存为文件…（Ctrl+S）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the result image (Ctrl+Shift+C)</source>
        <translation>复制结果图片（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <source>Use as input</source>
        <translation>用作输入</translation>
    </message>
    <message>
        <source>Continue editing from this result</source>
        <translation>基于此结果继续编辑</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Show the result file in the file manager</source>
        <translation>在文件管理器中显示结果文件</translation>
    </message>
    <message>
        <source>Compare toolbar</source>
        <translation>对比工具栏</translation>
    </message>
    <message>
        <source>Compare mode</source>
        <translation>对比模式</translation>
    </message>
    <message>
        <source>{mode} mode</source>
        <translation>{mode}模式</translation>
    </message>
    <message>
        <source>Fit to view</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Show the whole image (Ctrl+0)</source>
        <translation>显示整张图片（Ctrl+0）</translation>
    </message>
    <message>
        <source>Actual size, 100 percent</source>
        <translation>实际大小，100%</translation>
    </message>
    <message>
        <source>One image pixel per screen pixel (Ctrl+1)</source>
        <translation>一个图像像素对应一个屏幕像素（Ctrl+1）</translation>
    </message>
    <message>
        <source>Zoom level</source>
        <translation>缩放比例</translation>
    </message>
    <message>
        <source>Current zoom in percent of actual pixels</source>
        <translation>当前缩放比例（相对实际像素）</translation>
    </message>
    <message>
        <source>Image sizes</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <source>Save result</source>
        <translation>保存结果</translation>
    </message>
    <message>
        <source>Save the result as a file (Ctrl+S)</source>
        <translation>将结果保存为文件（Ctrl+S）</translation>
    </message>
    <message>
        <source>Copy result</source>
        <translation>复制结果</translation>
    </message>
    <message>
        <source>Copy the result image to the clipboard (Ctrl+Shift+C)</source>
        <translation>将结果图片复制到剪贴板（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <source>Use result as input</source>
        <translation>将结果用作输入</translation>
    </message>
    <message>
        <source>Make this result the input of the next edit</source>
        <translation>把此结果作为下一次编辑的输入</translation>
    </message>
    <message>
        <source>Show result in folder</source>
        <translation>在文件夹中显示结果</translation>
    </message>
    <message>
        <source>Open the file manager at the saved result</source>
        <translation>在文件管理器中打开已保存的结果</translation>
    </message>
    <message>
        <source>Drag</source>
        <translation>拖出</translation>
    </message>
    <message>
        <source>Drag the result file into another app or folder (or Ctrl+drag the image)</source>
        <translation>把结果文件拖到其他应用或文件夹（按住 Ctrl 拖动则拖出图像）</translation>
    </message>
    <message>
        <source>Drag result out</source>
        <translation>拖出结果</translation>
    </message>
    <message>
        <source>Drag from here to drop the result file into another application or a folder</source>
        <translation>从这里拖动，把结果文件放到其他应用或文件夹中</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Result actions that do not fit</source>
        <translation>放不下的结果操作</translation>
    </message>
    <message>
        <source>More actions</source>
        <translation>更多操作</translation>
    </message>
    <message>
        <source>Before {w}×{h}</source>
        <translation>编辑前 {w}×{h}</translation>
    </message>
    <message>
        <source>After {w}×{h}</source>
        <translation>编辑后 {w}×{h}</translation>
    </message>
    <message>
        <source>{zoom} of after</source>
        <translation>{zoom}（以修改后为准）</translation>
    </message>
    <message>
        <source> and </source>
        <translation>和</translation>
    </message>
    <message>
        <source>Showing {labels}, zoom {zoom} %</source>
        <translation>正在显示{labels}，缩放 {zoom}%</translation>
    </message>
    <message>
        <source>, result {i} of {n}</source>
        <translation>，第 {i} / {n} 个结果</translation>
    </message>
    <message>
        <source>The whole image changed ({n} pixels), as a whole-image edit does</source>
        <translation>整张图都变了（{n} 个像素），整图编辑就是这样</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <source>Drop photos, paste (Ctrl+V) or click to browse</source>
        <translation>拖入照片、粘贴（Ctrl+V）或点击浏览</translation>
    </message>
    <message>
        <source>Input images</source>
        <translation>输入图片</translation>
    </message>
    <message>
        <source>Drop up to three photos here, paste with Ctrl+V, or press Enter to browse</source>
        <translation>在此拖入最多三张照片、按 Ctrl+V 粘贴，或按 Enter 浏览</translation>
    </message>
    <message>
        <source>Input note</source>
        <translation>输入提示</translation>
    </message>
    <message>
        <source>Why a file was not added, or a note about the inputs</source>
        <translation>某个文件未被添加的原因，或关于输入的提示</translation>
    </message>
    <message>
        <source>Drop, paste or click to add or replace</source>
        <translation>拖入、粘贴或点击以添加或替换</translation>
    </message>
    <message>
        <source>{n} input image(s): {names}. </source>
        <translation>{n} 张输入图片：{names}。</translation>
    </message>
    <message>
        <source>Drop photos, paste with Ctrl+V, or press Enter to browse</source>
        <translation>拖入照片、按 Ctrl+V 粘贴，或按 Enter 浏览</translation>
    </message>
    <message>
        <source>Not added</source>
        <translation>未添加</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>{word}: {text}</source>
        <translation>{word}：{text}</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
</context>
<context>
    <name>EditProgress</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>重试中</translation>
    </message>
    <message>
        <source>downloading</source>
        <translation>下载中</translation>
    </message>
    <message>
        <source>saving</source>
        <translation>保存中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>{error} — retrying in {s} s (attempt {n} of {m})</source>
        <translation>{error} — {s} 秒后重试（第 {n} 次，共 {m} 次）</translation>
    </message>
    <message>
        <source>running {s} s</source>
        <translation>运行中 {s} 秒</translation>
    </message>
    <message>
        <source>Editing… {status}</source>
        <translation>正在编辑… {status}</translation>
    </message>
    <message>
        <source>Editing… {s} s</source>
        <translation>编辑中… {s} 秒</translation>
    </message>
    <message>
        <source>retrying in {s} s (attempt {n} of {m})</source>
        <translation>{s} 秒后重试（第 {n} 次，共 {m} 次）</translation>
    </message>
    <message>
        <source>  (+{n} more)</source>
        <translation>（另有 {n} 项）</translation>
    </message>
    <message>
        <source>Batch: {done} of {total} done</source>
        <translation>批处理：已完成 {done}/{total}</translation>
    </message>
    <message>
        <source>{n} running</source>
        <translation>{n} 张运行中</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} 张失败</translation>
    </message>
    <message>
        <source>Wait a minute, then press Retry; fewer edits at once also help.</source>
        <translation>请稍等一分钟再点“重试”；减少同时进行的编辑数量也有帮助。</translation>
    </message>
    <message>
        <source>Retried automatically and still rate limited. </source>
        <translation>已自动重试，但仍被限流。</translation>
    </message>
    <message>
        <source>Tried {n} times; the service is still failing. Usually temporary: press Retry in a moment.</source>
        <translation>已尝试 {n} 次，服务仍然出错。通常是暂时的：请稍后点“重试”。</translation>
    </message>
    <message>
        <source>Skipped (over budget)</source>
        <translation>已跳过（超出预算）</translation>
    </message>
    <message>
        <source>{n} saving</source>
        <translation>{n} 张保存中</translation>
    </message>
</context>
<context>
    <name>GridController</name>
    <message>
        <source>#{id} · {name}</source>
        <translation>#{id} · {name}</translation>
    </message>
    <message>
        <source>Result {i}</source>
        <translation>结果 {i}</translation>
    </message>
    <message>
        <source>Export picked results to</source>
        <translation>将选中的结果导出到</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>running {s} s</source>
        <translation>运行中 {s} 秒</translation>
    </message>
    <message>
        <source> · {n} images</source>
        <translation> · {n} 张图</translation>
    </message>
    <message>
        <source>done in {s} s</source>
        <translation>{s} 秒完成</translation>
    </message>
    <message>
        <source>interrupted — re-run it</source>
        <translation>已中断 — 请重新运行</translation>
    </message>
    <message>
        <source>retrying in {s} s (attempt {a} of {n})</source>
        <translation>{s} 秒后重试（第 {a} 次，共 {n} 次）</translation>
    </message>
    <message>
        <source>{done}/{n} done</source>
        <translation>{done}/{n} 张完成</translation>
    </message>
    <message>
        <source>{n} done</source>
        <translation>{n} 张完成</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} 张失败</translation>
    </message>
    <message>
        <source>{n} running</source>
        <translation>{n} 张进行中</translation>
    </message>
    <message>
        <source>{n} queued</source>
        <translation>{n} 张排队中</translation>
    </message>
    <message>
        <source>{n} skipped</source>
        <translation>{n} 张已跳过</translation>
    </message>
    <message>
        <source>{n} over budget</source>
        <translation>{n} 张超出预算</translation>
    </message>
    <message>
        <source>skipped (over budget)</source>
        <translation>因超出预算跳过</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>dddd d MMMM</source>
        <translation>M月d日 dddd</translation>
    </message>
    <message>
        <source>d MMMM yyyy</source>
        <translation>yyyy年M月d日</translation>
    </message>
    <message>
        <source> — starred</source>
        <translation> — 已收藏</translation>
    </message>
    <message>
        <source>≈ {amount}</source>
        <translation>约 {amount}</translation>
    </message>
    <message>
        <source>failed · paid, not downloaded</source>
        <translation>失败 · 已付费，未下载</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>The service does not promise identical images for the same seed: it makes a repeat likelier, not certain.</source>
        <translation>服务不保证相同种子生成完全相同的图像：只是更可能重现，并非一定。</translation>
    </message>
    <message>
        <source>Reuse &amp;seed</source>
        <translation>重用种子(&amp;S)</translation>
    </message>
    <message>
        <source>Put the seed this edit was sent with into the parameters</source>
        <translation>把这次编辑实际发送的种子填入参数</translation>
    </message>
    <message>
        <source>&amp;Vary</source>
        <translation>变体(&amp;V)</translation>
    </message>
    <message>
        <source>Run this edit again with the next seed</source>
        <translation>用下一个种子再运行一次这个编辑</translation>
    </message>
    <message>
        <source>This edit was sent without a seed: nothing to reuse</source>
        <translation>这次编辑发送时没有种子：无可重用</translation>
    </message>
    <message>
        <source>Seed {seed} is in the parameters</source>
        <translation>种子 {seed} 已填入参数</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Number of edits shown</source>
        <translation>显示的编辑数量</translation>
    </message>
    <message>
        <source>Search prompts  (Ctrl+F)</source>
        <translation>搜索提示词（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>搜索历史记录</translation>
    </message>
    <message>
        <source>Shows only edits whose prompt contains these words (Ctrl+F)</source>
        <translation>只显示提示词包含这些文字的编辑（Ctrl+F）</translation>
    </message>
    <message>
        <source>Starred</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Show only starred edits</source>
        <translation>只显示已收藏的编辑</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Show only edits that failed or were interrupted</source>
        <translation>只显示失败或中断的编辑</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批量</translation>
    </message>
    <message>
        <source>Show only the batch of the selected edit</source>
        <translation>只显示所选编辑所在的批量</translation>
    </message>
    <message>
        <source>Every edit, newest first, grouped by day. Alt+Up and Alt+Down move between them; Delete removes the selection (Ctrl+Z brings it back); the context menu has more.</source>
        <translation>所有编辑，最新的在前，按天分组。Alt+↑ 和 Alt+↓ 在其间切换；Delete 删除所选（Ctrl+Z 可恢复）；右键菜单中有更多操作。</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Deleted edits</source>
        <translation>已删除的编辑</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <source>Bring the deleted edits back (Ctrl+Z)</source>
        <translation>恢复已删除的编辑（Ctrl+Z）</translation>
    </message>
    <message>
        <source>&amp;Re-run</source>
        <translation>重新运行(&amp;R)</translation>
    </message>
    <message>
        <source>Re&amp;call parameters</source>
        <translation>恢复参数(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Use result as input</source>
        <translation>将结果用作输入(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Star / unstar</source>
        <translation>收藏 / 取消收藏(&amp;S)</translation>
    </message>
    <message>
        <source>Show in &amp;folder</source>
        <translation>在文件夹中显示(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Copy prompt</source>
        <translation>复制提示词(&amp;C)</translation>
    </message>
    <message>
        <source>Go to &amp;parent</source>
        <translation>转到上一版本(&amp;P)</translation>
    </message>
    <message>
        <source>Go to c&amp;hildren</source>
        <translation>转到衍生版本(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>E&amp;xport gallery…</source>
        <translation>导出画廊(&amp;X)…</translation>
    </message>
    <message>
        <source>Export the selected edits (or, with one or none selected, every edit the list shows) as a folder or a .zip with an offline index.html</source>
        <translation>将所选编辑（若只选了一个或未选，则为列表中显示的全部编辑）导出为文件夹或 .zip，附带可离线浏览的 index.html</translation>
    </message>
    <message>
        <source>Export this &amp;batch…</source>
        <translation>导出此批量(&amp;B)…</translation>
    </message>
    <message>
        <source>Show batch &amp;results</source>
        <translation>显示批量结果(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Undo delete</source>
        <translation>撤销删除(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Search history</source>
        <translation>搜索历史记录(&amp;S)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No edits match “{text}”.</source>
        <translation>没有与“{text}”匹配的编辑。</translation>
    </message>
    <message>
        <source>No edits match these filters.</source>
        <translation>没有符合这些筛选条件的编辑。</translation>
    </message>
    <message>
        <source>Your edits will appear here,
newest first.</source>
        <translation>你的编辑会显示在这里，
最新的在最前面。</translation>
    </message>
    <message>
        <source>{n} found</source>
        <translation>找到 {n} 条</translation>
    </message>
    <message>
        <source>1 edit</source>
        <translation>1 条编辑</translation>
    </message>
    <message>
        <source>{n} edits</source>
        <translation>{n} 条编辑</translation>
    </message>
    <message>
        <source> match</source>
        <translation>（匹配）</translation>
    </message>
    <message>
        <source>&amp;Unstar</source>
        <translation>取消收藏(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Star</source>
        <translation>收藏(&amp;S)</translation>
    </message>
    <message>
        <source>No edit was made from this one yet</source>
        <translation>还没有基于此版本的编辑</translation>
    </message>
    <message>
        <source>Folder (*);;Zip archive (*.zip)</source>
        <translation>文件夹 (*);;Zip 压缩包 (*.zip)</translation>
    </message>
    <message>
        <source>Exporting the gallery…</source>
        <translation>正在导出画廊…</translation>
    </message>
    <message>
        <source>Choose an empty folder or a new file name.</source>
        <translation>请选择一个空文件夹或新的文件名。</translation>
    </message>
    <message>
        <source>Choose another folder.</source>
        <translation>请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Recall its prompt and parameters into the panel?</source>
        <translation>要把它的提示词和参数恢复到面板中吗？</translation>
    </message>
    <message>
        <source>Recall parameters</source>
        <translation>恢复参数</translation>
    </message>
    <message>
        <source>Retry &amp;download</source>
        <translation>重试下载(&amp;D)</translation>
    </message>
    <message>
        <source>Download the result this edit was charged for; nothing is sent or charged again</source>
        <translation>下载此编辑已付费的结果；不会再次发送，也不会再次收费</translation>
    </message>
    <message>
        <source>Edit #{id} is not in the history any more (deleted).</source>
        <translation>编辑 #{id} 已不在历史记录中（已删除）。</translation>
    </message>
    <message>
        <source>Prompt copied</source>
        <translation>提示词已复制</translation>
    </message>
    <message>
        <source>{n} prompts copied</source>
        <translation>已复制 {n} 条提示词</translation>
    </message>
    <message>
        <source>Deleted 1 edit</source>
        <translation>已删除 1 个编辑</translation>
    </message>
    <message>
        <source>Deleted {n} edits</source>
        <translation>已删除 {n} 个编辑</translation>
    </message>
    <message>
        <source>Deleted 1 edit. Press Ctrl+Z or Undo to bring it back.</source>
        <translation>已删除 1 个编辑。按 Ctrl+Z 或“撤销”可恢复。</translation>
    </message>
    <message>
        <source>Deleted {n} edits. Press Ctrl+Z or Undo to bring them back.</source>
        <translation>已删除 {n} 个编辑。按 Ctrl+Z 或“撤销”可恢复。</translation>
    </message>
    <message>
        <source>Restored 1 edit</source>
        <translation>已恢复 1 个编辑</translation>
    </message>
    <message>
        <source>Restored {n} edits</source>
        <translation>已恢复 {n} 个编辑</translation>
    </message>
    <message>
        <source>1 selected edit</source>
        <translation>所选的 1 个编辑</translation>
    </message>
    <message>
        <source>{n} selected edits</source>
        <translation>所选的 {n} 个编辑</translation>
    </message>
    <message>
        <source>this batch</source>
        <translation>此批量</translation>
    </message>
    <message>
        <source>the edits matching the search</source>
        <translation>与搜索匹配的编辑</translation>
    </message>
    <message>
        <source>the whole history</source>
        <translation>全部历史记录</translation>
    </message>
    <message>
        <source>Export {what} as a gallery</source>
        <translation>将{what}导出为画廊</translation>
    </message>
    <message>
        <source>Exported 1 image to {out}</source>
        <translation>已将 1 张图像导出到 {out}</translation>
    </message>
    <message>
        <source>Exported {n} images to {out}</source>
        <translation>已将 {n} 张图像导出到 {out}</translation>
    </message>
    <message>
        <source>{file} was made with Qwen Studio: “{prompt}”.</source>
        <translation>{file} 是用 Qwen Studio 制作的：“{prompt}”。</translation>
    </message>
    <message>
        <source>Could not export the gallery: {why}</source>
        <translation>无法导出画廊：{why}</translation>
    </message>
</context>
<context>
    <name>ImageCanvas</name>
    <message>
        <source>Changes</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Nothing to compare yet</source>
        <translation>暂无可对比的内容</translation>
    </message>
    <message>
        <source>Drop photos or paste (Ctrl+V) · Run with Ctrl+Enter · Hold Space to compare</source>
        <translation>拖入照片或粘贴（Ctrl+V）· 按 Ctrl+Enter 运行 · 按住空格键对比</translation>
    </message>
    <message>
        <source>Drop photos or paste</source>
        <translation>拖入照片或粘贴</translation>
    </message>
    <message>
        <source>Run the edit</source>
        <translation>运行编辑</translation>
    </message>
    <message>
        <source>Hold to compare</source>
        <translation>按住以对比</translation>
    </message>
    <message>
        <source>Image canvas</source>
        <translation>图像画布</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个结果</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>编辑前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>编辑后</translation>
    </message>
</context>
<context>
    <name>InputReasons</name>
    <message>
        <source>the file does not exist</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>this is a folder, not an image file</source>
        <translation>这是一个文件夹，不是图片文件</translation>
    </message>
    <message>
        <source>the file cannot be read (permission denied)</source>
        <translation>无法读取文件（没有权限）</translation>
    </message>
    <message>
        <source>the file cannot be read ({detail})</source>
        <translation>无法读取文件（{detail}）</translation>
    </message>
    <message>
        <source>the file is empty (0 bytes)</source>
        <translation>文件是空的（0 字节）</translation>
    </message>
    <message>
        <source>the image data is empty (0 bytes)</source>
        <translation>图片数据是空的（0 字节）</translation>
    </message>
    <message>
        <source>there is not enough memory to read this image</source>
        <translation>内存不足，无法读取这张图片</translation>
    </message>
    <message>
        <source>the image is too large: {size} pixels ({megapixels} megapixels); the limit is {limit} megapixels</source>
        <translation>图片太大：{size} 像素（{megapixels} 百万像素）；上限为 {limit} 百万像素</translation>
    </message>
    <message>
        <source>the image is too large; the limit is {limit} megapixels (files this big are refused as possible decompression bombs)</source>
        <translation>图片太大；上限为 {limit} 百万像素（这么大的文件可能是解压炸弹，因此被拒绝）</translation>
    </message>
    <message>
        <source>the image is too large ({megapixels} megapixels); the limit is {limit} megapixels (files this big are refused as possible decompression bombs)</source>
        <translation>图片太大（{megapixels} 百万像素）；上限为 {limit} 百万像素（这么大的文件可能是解压炸弹，因此被拒绝）</translation>
    </message>
    <message>
        <source>unsupported image format ({format}); use JPG, PNG, WebP, BMP, TIFF or GIF</source>
        <translation>不支持的图片格式（{format}）；请使用 JPG、PNG、WebP、BMP、TIFF 或 GIF</translation>
    </message>
    <message>
        <source>this is not an image (the file contains text)</source>
        <translation>这不是图片（文件内容是文本）</translation>
    </message>
    <message>
        <source>this is not an image, or it is damaged beyond reading (expected JPG, PNG, WebP, BMP, TIFF or GIF)</source>
        <translation>这不是图片，或已损坏到无法读取（应为 JPG、PNG、WebP、BMP、TIFF 或 GIF）</translation>
    </message>
    <message>
        <source>the image is damaged and cannot be read ({detail})</source>
        <translation>图片已损坏，无法读取（{detail}）</translation>
    </message>
    <message>
        <source>the image is damaged and cannot be decoded ({detail})</source>
        <translation>图片已损坏，无法解码（{detail}）</translation>
    </message>
    <message>
        <source>the file is incomplete (truncated); it may not have finished downloading or copying</source>
        <translation>文件不完整（被截断）；可能还没有下载或复制完</translation>
    </message>
    <message>
        <source>the aspect ratio is too extreme ({size}, about {ratio}:1); the service needs each side between {min_side} and {max_side} px, so at most {max_ratio}:1</source>
        <translation>宽高比过于极端（{size}，约 {ratio}:1）；服务要求每条边在 {min_side} 到 {max_side} 像素之间，因此最多为 {max_ratio}:1</translation>
    </message>
    <message>
        <source>the image cannot be made small enough: even at {size} it needs {megabytes} MB as a data URI; the limit is {limit} MB</source>
        <translation>无法把图片压缩到足够小：即使缩小到 {size}，作为 data URI 仍需 {megabytes} MB；上限为 {limit} MB</translation>
    </message>
    <message>
        <source>not an image file type ({ext})</source>
        <translation>不是图片文件类型（{ext}）</translation>
    </message>
    <message>
        <source>not an image file type (no extension)</source>
        <translation>不是图片文件类型（没有扩展名）</translation>
    </message>
    <message>
        <source>folder cannot be read ({detail})</source>
        <translation>无法读取文件夹（{detail}）</translation>
    </message>
    <message>
        <source>a region edit needs the original as a local file (it is composited at full resolution); download it first</source>
        <translation>区域编辑需要原图是本地文件（要按原分辨率合成）；请先下载</translation>
    </message>
    <message>
        <source>the image is too large for a region edit ({size})</source>
        <translation>图片太大，无法做区域编辑（{size}）</translation>
    </message>
    <message>
        <source>a region edit keeps the other pixels exactly, which a PNG cannot do for a {mode} image; convert it to RGB first</source>
        <translation>区域编辑要让其余像素保持原样，而 PNG 无法保存 {mode} 图片的像素；请先转换为 RGB</translation>
    </message>
    <message>
        <source>the region {rect} lies outside the {size} image</source>
        <translation>区域 {rect} 超出了 {size} 的图片</translation>
    </message>
    <message>
        <source>the region marks no pixel of the image</source>
        <translation>区域没有标记图片的任何像素</translation>
    </message>
    <message>
        <source>the mask cannot be read ({detail})</source>
        <translation>无法读取蒙版（{detail}）</translation>
    </message>
    <message>
        <source>the region&apos;s mask ({region}) was not found</source>
        <translation>找不到该区域的蒙版（{region}）</translation>
    </message>
    <message>
        <source>this is not the edit&apos;s mask ({region}): its content differs</source>
        <translation>这不是该编辑的蒙版（{region}）：内容不同</translation>
    </message>
    <message>
        <source>the result is not a readable image ({detail})</source>
        <translation>结果不是可读取的图片（{detail}）</translation>
    </message>
    <message>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
</context>
<context>
    <name>LineageView</name>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>The selected edit&apos;s parents and the edits made from its results. Press Enter on a version to select it in the history.</source>
        <translation>所选编辑的上游版本，以及基于其结果做出的编辑。在某个版本上按 Enter 可在历史记录中选中它。</translation>
    </message>
    <message>
        <source>(no prompt)</source>
        <translation>（无提示词）</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>（已删除）</translation>
    </message>
    <message>
        <source>Edit #{id}: {prompt} — {status}</source>
        <translation>编辑 #{id}：{prompt} — {status}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The edit&apos;s mask is no longer in the library</source>
        <translation>该编辑的蒙版已不在资料库中</translation>
    </message>
    <message>
        <source>Before and after</source>
        <translation>编辑前后对比</translation>
    </message>
    <message>
        <source>The input and the result of the selected edit</source>
        <translation>所选编辑的输入与结果</translation>
    </message>
    <message>
        <source>Qwen Studio</source>
        <translation>Qwen Studio</translation>
    </message>
    <message>
        <source>Edit photos by describing the change</source>
        <translation>用文字描述修改来编辑照片</translation>
    </message>
    <message>
        <source>Run   Ctrl+↵</source>
        <translation>运行   Ctrl+↵</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Start the edit (Ctrl+Enter)</source>
        <translation>开始编辑（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the edits in flight (Esc)</source>
        <translation>停止进行中的编辑（Esc）</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Inputs and prompt</source>
        <translation>输入与提示词</translation>
    </message>
    <message>
        <source>Input photos, prompt and parameters</source>
        <translation>输入照片、提示词和参数</translation>
    </message>
    <message>
        <source>Input photos, prompt, parameters and the Run button</source>
        <translation>输入照片、提示词、参数和“运行”按钮</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>面板</translation>
    </message>
    <message>
        <source>Drag the handles to resize the panels</source>
        <translation>拖动分隔条调整面板大小</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Edits in flight</source>
        <translation>进行中的编辑</translation>
    </message>
    <message>
        <source>&amp;Open images…</source>
        <translation>打开图片(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Paste image</source>
        <translation>粘贴图片(&amp;P)</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run edit</source>
        <translation>运行编辑(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel edits</source>
        <translation>取消编辑(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Previous entry</source>
        <translation>上一条记录(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Next entry</source>
        <translation>下一条记录(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About Qwen Studio</source>
        <translation>关于 Qwen Studio(&amp;A)</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <source>Try the &amp;demo sandbox</source>
        <translation>试用演示沙盒(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Something went wrong ({name})</source>
        <translation>出错了（{name}）</translation>
    </message>
    <message>
        <source>Details are in the log.</source>
        <translation>详细信息请查看日志。</translation>
    </message>
    <message>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <source>Connected to {name}</source>
        <translation>已连接到 {name}</translation>
    </message>
    <message>
        <source>Demo sandbox</source>
        <translation>演示沙盒</translation>
    </message>
    <message>
        <source>◌ Starting the demo sandbox…</source>
        <translation>◌ 正在启动演示沙盒…</translation>
    </message>
    <message>
        <source>○ Not connected</source>
        <translation>○ 未连接</translation>
    </message>
    <message>
        <source>Set up your API in Settings (Ctrl+,)</source>
        <translation>在设置中配置 API（Ctrl+,）</translation>
    </message>
    <message>
        <source>Demo sandbox running on this computer: results are generated locally.</source>
        <translation>演示沙盒正在本机运行：结果在本地生成。</translation>
    </message>
    <message>
        <source>{model} makes images from text and takes no input image; choose an edit model (e.g. qwen-image-edit-plus) to edit photos.</source>
        <translation>{model} 是文生图模型，不接受输入图片；要编辑照片，请选择编辑模型（例如 qwen-image-edit-plus）。</translation>
    </message>
    <message>
        <source>{file}: could not be read ({error})</source>
        <translation>{file}：无法读取（{error}）</translation>
    </message>
    <message>
        <source>{model} takes at most {n} images; kept the first {n}</source>
        <translation>{model} 最多接受 {n} 张图片；已保留前 {n} 张</translation>
    </message>
    <message>
        <source>the pasted image is empty</source>
        <translation>粘贴的图片为空</translation>
    </message>
    <message>
        <source>the pasted image could not be kept in {folder}: {reason}</source>
        <translation>无法将粘贴的图片保存到 {folder}：{reason}</translation>
    </message>
    <message>
        <source>Open input images</source>
        <translation>打开输入图片</translation>
    </message>
    <message>
        <source>the clipboard is empty</source>
        <translation>剪贴板为空</translation>
    </message>
    <message>
        <source>the clipboard has no image or image file to paste</source>
        <translation>剪贴板中没有可粘贴的图片或图片文件</translation>
    </message>
    <message>
        <source>{model} takes one image; kept the first</source>
        <translation>{model} 只接受一张图片；已保留第一张</translation>
    </message>
    <message>
        <source>Qwen Studio is not connected to a service yet.</source>
        <translation>Qwen Studio 尚未连接到服务。</translation>
    </message>
    <message>
        <source>Set up your API key in Settings, or try the demo.</source>
        <translation>请在设置中填写 API 密钥，或试用演示。</translation>
    </message>
    <message>
        <source>Can&apos;t run yet: {problems}.</source>
        <translation>暂时无法运行：{problems}。</translation>
    </message>
    <message>
        <source>Cancelling {n} edits…</source>
        <translation>正在取消 {n} 个编辑…</translation>
    </message>
    <message>
        <source>Cancelling the edit…</source>
        <translation>正在取消编辑…</translation>
    </message>
    <message>
        <source>Retrying automatically — nothing to do. Esc cancels.</source>
        <translation>正在自动重试，无需操作。按 Esc 取消。</translation>
    </message>
    <message>
        <source>Edit done in {s} s</source>
        <translation>编辑完成，用时 {s} 秒</translation>
    </message>
    <message>
        <source>The edit failed.</source>
        <translation>编辑失败。</translation>
    </message>
    <message>
        <source>Rephrase</source>
        <translation>修改措辞</translation>
    </message>
    <message>
        <source>Choose another image</source>
        <translation>选择其他图片</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>{hint} (request id {rid})</source>
        <translation>{hint}（请求 ID {rid}）</translation>
    </message>
    <message>
        <source>Edit cancelled</source>
        <translation>编辑已取消</translation>
    </message>
    <message>
        <source>{n} running</source>
        <translation>{n} 个运行中</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>{n} edits in flight</source>
        <translation>{n} 个编辑进行中</translation>
    </message>
    <message>
        <source>1 edit in flight</source>
        <translation>1 个编辑进行中</translation>
    </message>
    <message>
        <source>No edits in flight</source>
        <translation>没有进行中的编辑</translation>
    </message>
    <message>
        <source>Editing… {status}</source>
        <translation>正在编辑… {status}</translation>
    </message>
    <message>
        <source>  (+{n} more)</source>
        <translation>（另有 {n} 项）</translation>
    </message>
    <message>
        <source>Re-running the edit</source>
        <translation>正在重新运行此编辑</translation>
    </message>
    <message>
        <source>Parameters recalled: add an input and run, or change the prompt</source>
        <translation>参数已恢复：添加输入图片后运行，或修改提示词</translation>
    </message>
    <message>
        <source>Nothing to save yet: run an edit or pick one in the history.</source>
        <translation>还没有可保存的内容：请运行一次编辑，或在历史记录中选择一条。</translation>
    </message>
    <message>
        <source>Save result as</source>
        <translation>结果另存为</translation>
    </message>
    <message>
        <source>Could not save {file}: {error}</source>
        <translation>无法保存 {file}：{error}</translation>
    </message>
    <message>
        <source>Choose another folder.</source>
        <translation>请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Nothing to copy yet.</source>
        <translation>还没有可复制的内容。</translation>
    </message>
    <message>
        <source>Result copied: paste it as an image or as a file</source>
        <translation>结果已复制：可作为图片或文件粘贴</translation>
    </message>
    <message>
        <source>The result is now the input: describe the next change</source>
        <translation>结果已作为输入：请描述下一步修改</translation>
    </message>
    <message>
        <source>The history was damaged and has been rebuilt ({n} edits recovered).</source>
        <translation>历史记录已损坏，现已重建（恢复了 {n} 个编辑）。</translation>
    </message>
    <message>
        <source>The damaged file was kept as {path}.</source>
        <translation>损坏的文件已保留为 {path}。</translation>
    </message>
    <message>
        <source>Remove the input images, or choose a model that edits photos.</source>
        <translation>请移除输入图片，或选择一个能编辑照片的模型。</translation>
    </message>
    <message>
        <source>Drop a photo on the Inputs area, paste one (Ctrl+V) or press Ctrl+O.</source>
        <translation>把照片拖到“输入”区域、粘贴（Ctrl+V），或按 Ctrl+O 打开。</translation>
    </message>
    <message>
        <source>Describe the change in the Prompt box, then press Ctrl+Enter.</source>
        <translation>在提示词框中描述要做的修改，然后按 Ctrl+Enter。</translation>
    </message>
    <message>
        <source>Adjust the highlighted setting and run again.</source>
        <translation>请调整标出的设置后再运行。</translation>
    </message>
    <message>
        <source>{n} images</source>
        <translation>{n} 张图</translation>
    </message>
    <message>
        <source>{n} input tokens</source>
        <translation>{n} 个输入 token</translation>
    </message>
    <message>
        <source>{n} output tokens</source>
        <translation>{n} 个输出 token</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>共 {n} 个 token</translation>
    </message>
    <message>
        <source>Results &amp;grid</source>
        <translation>结果网格(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Hide panels</source>
        <translation>隐藏面板(&amp;H)</translation>
    </message>
    <message>
        <source>Hide or show the side panels (Tab outside text fields, Ctrl+Shift+F)</source>
        <translation>隐藏或显示侧边面板（在文本框之外按 Tab，或 Ctrl+Shift+F）</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Show &amp;panels</source>
        <translation>显示面板(&amp;P)</translation>
    </message>
    <message>
        <source>Downloading the paid result again</source>
        <translation>正在重新下载已付费的结果</translation>
    </message>
    <message>
        <source>This edit has no result waiting to be downloaded: Re-run sends it again</source>
        <translation>此编辑没有等待下载的结果：“重新运行”会再次发送它</translation>
    </message>
    <message>
        <source>Images ({exts});;All files (*)</source>
        <translation>图像 ({exts});;所有文件 (*)</translation>
    </message>
    <message>
        <source>{n} saving</source>
        <translation>{n} 个保存中</translation>
    </message>
</context>
<context>
    <name>ParametersPanel</name>
    <message>
        <source>Random, or a fixed number to repeat a result.
The service does not promise identical images for the same seed: it makes a repeat likelier, not certain.</source>
        <translation>随机，或固定数值以复现结果。
服务不保证相同种子生成完全相同的图像：只是更可能重现，并非一定。</translation>
    </message>
    <message>
        <source>Recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>Edit photos</source>
        <translation>编辑照片</translation>
    </message>
    <message>
        <source>Make images from text</source>
        <translation>根据文字生成图片</translation>
    </message>
    <message>
        <source>Also on this endpoint (not in the catalog)</source>
        <translation>此端点另外提供（不在目录中）</translation>
    </message>
    <message>
        <source>Listed by the endpoint; not in Qwen Studio&apos;s catalog, so its limits are not checked</source>
        <translation>由端点列出；不在 Qwen Studio 的目录中，因此不检查它的限制</translation>
    </message>
    <message>
        <source>About {price} per image ({source})</source>
        <translation>每张约 {price}（{source}）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Show or hide the generation parameters</source>
        <translation>显示或隐藏生成参数</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Which Qwen image model runs the edit</source>
        <translation>用哪个通义千问图像模型来编辑</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Output size as width*height, or Auto to keep the input&apos;s proportions</source>
        <translation>输出尺寸（宽*高），或选择“自动”以保持输入图片的比例</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>How many variations to make</source>
        <translation>生成几张不同的结果</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Random, or a fixed number to repeat a result; step below 0 for Random</source>
        <translation>随机，或固定数值以复现结果；调到 0 以下即为随机</translation>
    </message>
    <message>
        <source>Watermark</source>
        <translation>水印</translation>
    </message>
    <message>
        <source>Ask the service to add its watermark</source>
        <translation>让服务在结果上添加水印</translation>
    </message>
    <message>
        <source>Prompt extend</source>
        <translation>智能改写</translation>
    </message>
    <message>
        <source>Let the service rewrite the prompt in more detail</source>
        <translation>让服务自动扩写提示词，补充更多细节</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Describe the change to make, up to {n} characters. Ctrl+Enter runs.</source>
        <translation>描述要做的修改，最多 {n} 个字符。按 Ctrl+Enter 运行。</translation>
    </message>
    <message>
        <source>What should change? e.g. “replace the background with a white studio backdrop”</source>
        <translation>想怎么改？例如“把背景换成白色摄影棚背景”</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <source>What to avoid, up to {n} characters (optional)</source>
        <translation>不希望出现的内容，最多 {n} 个字符（可选）</translation>
    </message>
    <message>
        <source>Avoid… (optional)</source>
        <translation>不希望出现的内容…（可选）</translation>
    </message>
    <message>
        <source>Show or hide the negative prompt</source>
        <translation>显示或隐藏反向提示词</translation>
    </message>
    <message>
        <source>Negative prompt ({n} characters)</source>
        <translation>反向提示词（{n} 个字符）</translation>
    </message>
</context>
<context>
    <name>RequestProblems</name>
    <message>
        <source>the prompt is empty</source>
        <translation>提示词为空</translation>
    </message>
    <message>
        <source>the prompt has {n} characters; the limit is {limit}</source>
        <translation>提示词有 {n} 个字符；上限为 {limit}</translation>
    </message>
    <message>
        <source>the negative prompt has {n} characters; the limit is {limit}</source>
        <translation>反向提示词有 {n} 个字符；上限为 {limit}</translation>
    </message>
    <message>
        <source>unknown request style {style} (use one of {styles})</source>
        <translation>未知的请求格式 {style}（可用：{styles}）</translation>
    </message>
    <message>
        <source>{model} makes images from text and takes no input image</source>
        <translation>{model} 是文生图模型，不接受输入图片</translation>
    </message>
    <message>
        <source>an edit needs at least one input image</source>
        <translation>编辑至少需要一张输入图片</translation>
    </message>
    <message>
        <source>{model} takes at most {limit} input image(s), got {n}</source>
        <translation>{model} 最多接受 {limit} 张输入图片，当前有 {n} 张</translation>
    </message>
    <message>
        <source>count n={n} is outside 1–{max} for {model}</source>
        <translation>数量 {n} 超出 {model} 允许的 1–{max}</translation>
    </message>
    <message>
        <source>seed {seed} is outside 0–{max}</source>
        <translation>种子 {seed} 超出 0–{max} 的范围</translation>
    </message>
    <message>
        <source>size {size} is not one of {sizes} for {model}</source>
        <translation>尺寸 {size} 不是 {model} 支持的尺寸（{sizes}）</translation>
    </message>
    <message>
        <source>size {width}x{height}: each side must be {min}–{max} px</source>
        <translation>尺寸 {width}x{height}：每边须在 {min}–{max} 像素之间</translation>
    </message>
    <message>
        <source>size {text} is not of the form WIDTHxHEIGHT, e.g. 1024x1024</source>
        <translation>尺寸 {text} 格式不对，应为 宽x高，例如 1024x1024</translation>
    </message>
    <message>
        <source>size {width}x{height} is {pixels} pixels; {model} takes {min} to {max} pixels in total</source>
        <translation>尺寸 {width}x{height} 共 {pixels} 像素；{model} 要求总像素在 {min} 到 {max} 之间</translation>
    </message>
    <message>
        <source>{model} does not take a size; leave Size on Auto</source>
        <translation>{model} 不能指定尺寸；请把“尺寸”保持为“自动”</translation>
    </message>
    <message>
        <source>the prompt contains a control character ({char} at position {position}); remove it</source>
        <translation>提示词包含控制字符（位置 {position} 的 {char}）；请删除</translation>
    </message>
    <message>
        <source>the prompt contains an invisible text-direction character ({char} at position {position}); remove it</source>
        <translation>提示词包含不可见的文字方向字符（位置 {position} 的 {char}）；请删除</translation>
    </message>
    <message>
        <source>the prompt is not valid text (it holds undecodable bytes)</source>
        <translation>提示词不是有效文本（含有无法解码的字节）</translation>
    </message>
    <message>
        <source>the negative prompt contains a control character ({char} at position {position}); remove it</source>
        <translation>反向提示词包含控制字符（位置 {position} 的 {char}）；请删除</translation>
    </message>
    <message>
        <source>the negative prompt contains an invisible text-direction character ({char} at position {position}); remove it</source>
        <translation>反向提示词包含不可见的文字方向字符（位置 {position} 的 {char}）；请删除</translation>
    </message>
    <message>
        <source>the negative prompt is not valid text (it holds undecodable bytes)</source>
        <translation>反向提示词不是有效文本（含有无法解码的字节）</translation>
    </message>
    <message>
        <source>; </source>
        <comment>between problems</comment>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>ResultStrip</name>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Thumbnails of the images this edit returned. Left and right arrow keys choose which result is compared with the before image.</source>
        <translation>本次编辑返回的图片缩略图。用左右方向键选择与编辑前对比的结果。</translation>
    </message>
    <message>
        <source>Result {i} of {n}, {size}</source>
        <translation>第 {i} 个结果，共 {n} 个，{size}</translation>
    </message>
    <message>
        <source>Result {i} of {n} · {size}</source>
        <translation>第 {i} 个结果，共 {n} 个 · {size}</translation>
    </message>
</context>
<context>
    <name>ResultsGrid</name>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Arrow keys move; P marks a result picked, X rejected, U clears the mark; Enter shows it on the canvas.</source>
        <translation>方向键移动；P 标为选中，X 标为排除，U 清除标记；Enter 在画布上显示。</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Back to compare</source>
        <translation>返回对比</translation>
    </message>
    <message>
        <source>Show the current result before and after (G toggles the grid)</source>
        <translation>显示当前结果的修改前后（G 切换网格）</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Export picked…</source>
        <translation>导出选中…</translation>
    </message>
    <message>
        <source>Export picked</source>
        <translation>导出选中</translation>
    </message>
    <message>
        <source>Copy the results marked picked (P) into a folder</source>
        <translation>把标记为选中（P）的结果复制到文件夹</translation>
    </message>
    <message>
        <source>{n} results · {p} picked · {x} rejected</source>
        <translation>{n} 个结果 · {p} 个选中 · {x} 个排除</translation>
    </message>
</context>
<context>
    <name>RunningPlaceholder</name>
    <message>
        <source>Waiting to start…</source>
        <translation>等待开始…</translation>
    </message>
    <message>
        <source>Editing… {s} s</source>
        <translation>编辑中… {s} 秒</translation>
    </message>
    <message>
        <source>  (+{n} more)</source>
        <translation>  （另有 {n} 个）</translation>
    </message>
</context>
<context>
    <name>ServiceErrors</name>
    <message>
        <source>The connection to {what} was interrupted</source>
        <translation>与 {what} 的连接中断了</translation>
    </message>
    <message>
        <source>Could not reach {what} (connection timed out)</source>
        <translation>无法连接 {what}（连接超时）</translation>
    </message>
    <message>
        <source>Could not reach {what}</source>
        <translation>无法连接 {what}</translation>
    </message>
    <message>
        <source>No answer from {what} within {s} s</source>
        <translation>{what} 在 {s} 秒内没有回应</translation>
    </message>
    <message>
        <source>The service refused the request</source>
        <translation>服务拒绝了请求</translation>
    </message>
    <message>
        <source>The API key was refused</source>
        <translation>API 密钥被拒绝</translation>
    </message>
    <message>
        <source>Check the API key and region in Settings (Beijing and Singapore keys differ).</source>
        <translation>请在“设置”中检查 API 密钥和地域（北京与新加坡的密钥不通用）。</translation>
    </message>
    <message>
        <source>The content was flagged by moderation</source>
        <translation>内容未通过审核</translation>
    </message>
    <message>
        <source>Rephrase the prompt or use a different image; retrying will not help.</source>
        <translation>请改写提示词或换一张图片；重试不会有帮助。</translation>
    </message>
    <message>
        <source>The service rejected a parameter</source>
        <translation>服务拒绝了某个参数</translation>
    </message>
    <message>
        <source>Adjust the parameter named in the message.</source>
        <translation>请调整消息中指出的参数。</translation>
    </message>
    <message>
        <source>The account cannot be charged</source>
        <translation>账户无法扣费</translation>
    </message>
    <message>
        <source>Top up the account in the provider&apos;s console.</source>
        <translation>请在服务商控制台为账户充值。</translation>
    </message>
    <message>
        <source>Rate limited by the service</source>
        <translation>服务限流</translation>
    </message>
    <message>
        <source>Retrying automatically with backoff.</source>
        <translation>正在自动退避重试。</translation>
    </message>
    <message>
        <source>The service had an internal error</source>
        <translation>服务内部错误</translation>
    </message>
    <message>
        <source>Usually temporary; retrying.</source>
        <translation>通常是暂时的；正在重试。</translation>
    </message>
    <message>
        <source>The request timed out</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <source>Edits can take up to a minute; the timeout is in Settings.</source>
        <translation>编辑最长可能需要一分钟；超时时间可在“设置”中调整。</translation>
    </message>
    <message>
        <source>Could not reach the service</source>
        <translation>无法连接到服务</translation>
    </message>
    <message>
        <source>Check the endpoint URL and your connection.</source>
        <translation>请检查接口地址和网络连接。</translation>
    </message>
    <message>
        <source>The service sent a response that could not be understood</source>
        <translation>服务返回了无法解析的响应</translation>
    </message>
    <message>
        <source>The gateway may not support this request style; try another style.</source>
        <translation>网关可能不支持此请求格式；请换一种格式试试。</translation>
    </message>
    <message>
        <source>The result image could not be downloaded</source>
        <translation>无法下载结果图片</translation>
    </message>
    <message>
        <source>Result links expire after 24 hours; run the edit again.</source>
        <translation>结果链接 24 小时后失效；请重新运行编辑。</translation>
    </message>
    <message>
        <source>the answer stopped before it was complete</source>
        <translation>回应还没收完就断开了</translation>
    </message>
    <message>
        <source>the request stopped before it was all sent</source>
        <translation>请求还没发完就断开了</translation>
    </message>
    <message>
        <source>no connection could be opened (the service may be down or the address wrong)</source>
        <translation>无法建立连接（服务可能未运行，或地址有误）</translation>
    </message>
    <message>
        <source>the connection did not close cleanly</source>
        <translation>连接未能正常关闭</translation>
    </message>
    <message>
        <source>the network connection failed</source>
        <translation>网络连接失败</translation>
    </message>
    <message>
        <source>the service broke off the answer or sent one that breaks the HTTP rules</source>
        <translation>服务中断了回应，或发送了不符合 HTTP 规范的回应</translation>
    </message>
    <message>
        <source>the request could not be sent in a form HTTP allows</source>
        <translation>请求无法以 HTTP 允许的形式发送</translation>
    </message>
    <message>
        <source>the service&apos;s answer breaks the HTTP rules</source>
        <translation>服务的回应不符合 HTTP 规范</translation>
    </message>
    <message>
        <source>the proxy server refused or failed the connection</source>
        <translation>代理服务器拒绝了连接或连接失败</translation>
    </message>
    <message>
        <source>the address must start with http:// or https://</source>
        <translation>地址必须以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <source>the service did not accept the connection in time</source>
        <translation>服务没有及时接受连接</translation>
    </message>
    <message>
        <source>no data arrived from the service in time</source>
        <translation>没有及时收到服务的数据</translation>
    </message>
    <message>
        <source>the request could not be sent in time</source>
        <translation>请求没有及时发送出去</translation>
    </message>
    <message>
        <source>no connection became free in time</source>
        <translation>没有及时等到空闲的连接</translation>
    </message>
    <message>
        <source>the service took too long</source>
        <translation>服务用时太长</translation>
    </message>
    <message>
        <source>the answer could not be decoded</source>
        <translation>回应无法解码</translation>
    </message>
    <message>
        <source>the service redirected too many times</source>
        <translation>服务重定向次数过多</translation>
    </message>
    <message>
        <source>the service refused the connection (nothing answers at that address and port)</source>
        <translation>服务拒绝了连接（该地址和端口上没有服务应答）</translation>
    </message>
    <message>
        <source>the host name could not be found (check the address and your connection)</source>
        <translation>找不到该主机名（请检查地址和网络连接）</translation>
    </message>
    <message>
        <source>the network or the host cannot be reached from here</source>
        <translation>从这里无法访问该网络或主机</translation>
    </message>
    <message>
        <source>the service&apos;s security certificate could not be verified</source>
        <translation>无法验证服务的安全证书</translation>
    </message>
    <message>
        <source>a secure (TLS) connection could not be set up</source>
        <translation>无法建立安全（TLS）连接</translation>
    </message>
    <message>
        <source>Cannot send this request to {what}</source>
        <translation>无法向 {what} 发送此请求</translation>
    </message>
    <message>
        <source>The result download failed</source>
        <translation>结果下载失败</translation>
    </message>
    <message>
        <source>The gateway got no valid answer from the service</source>
        <translation>网关没有从服务得到有效的回应</translation>
    </message>
    <message>
        <source>The service is temporarily unavailable</source>
        <translation>服务暂时不可用</translation>
    </message>
    <message>
        <source>The gateway timed out waiting for the service</source>
        <translation>网关等待服务超时</translation>
    </message>
    <message>
        <source>The endpoint URL was not found</source>
        <translation>找不到该接口地址</translation>
    </message>
    <message>
        <source>The endpoint does not accept this request</source>
        <translation>该接口不接受这个请求</translation>
    </message>
    <message>
        <source>The request is too large</source>
        <translation>请求太大</translation>
    </message>
    <message>
        <source>Check the endpoint URL and the request style in Settings.</source>
        <translation>请在设置中检查接口地址和请求格式。</translation>
    </message>
    <message>
        <source>Use smaller or fewer input images.</source>
        <translation>请使用更小或更少的输入图片。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Bailian / OpenAI-compatible (bailian)</source>
        <translation>百炼 / OpenAI 兼容（bailian）</translation>
    </message>
    <message>
        <source>DashScope native (dashscope)</source>
        <translation>DashScope 原生（dashscope）</translation>
    </message>
    <message>
        <source>Flat OpenAI images (flat)</source>
        <translation>OpenAI 图像接口（flat）</translation>
    </message>
    <message>
        <source>Settings — Connection</source>
        <translation>设置 — 连接</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Connection profiles, API keys and request style</source>
        <translation>连接配置、API 密钥和请求格式</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Choose a saved profile or make a new one</source>
        <translation>选择已保存的配置，或新建一个</translation>
    </message>
    <message>
        <source>DashScope Beijing</source>
        <translation>DashScope 北京</translation>
    </message>
    <message>
        <source>Beijing preset</source>
        <translation>北京预设</translation>
    </message>
    <message>
        <source>Fill in the DashScope Beijing endpoint</source>
        <translation>填入 DashScope 北京地域的服务地址</translation>
    </message>
    <message>
        <source>DashScope Singapore</source>
        <translation>DashScope 新加坡</translation>
    </message>
    <message>
        <source>Singapore preset</source>
        <translation>新加坡预设</translation>
    </message>
    <message>
        <source>Fill in the DashScope Singapore (international) endpoint</source>
        <translation>填入 DashScope 新加坡（国际）地域的服务地址</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>配置名称</translation>
    </message>
    <message>
        <source>A name for this connection</source>
        <translation>为此连接起个名字</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>服务地址</translation>
    </message>
    <message>
        <source>The service address, e.g. https://dashscope.aliyuncs.com</source>
        <translation>服务地址，例如 https://dashscope.aliyuncs.com</translation>
    </message>
    <message>
        <source>Request style</source>
        <translation>请求格式</translation>
    </message>
    <message>
        <source>The wire format the endpoint speaks</source>
        <translation>该服务使用的接口格式</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <source>The model new edits start with</source>
        <translation>新编辑默认使用的模型</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>The key for this endpoint; it is stored securely, never in settings files</source>
        <translation>此服务的密钥；将安全保存，绝不写入设置文件</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show key</source>
        <translation>显示密钥</translation>
    </message>
    <message>
        <source>Show or hide the typed key</source>
        <translation>显示或隐藏输入的密钥</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Check that the URL and key work, without running an edit</source>
        <translation>检查地址和密钥是否可用，不会运行编辑</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <source>Remove this profile and its key</source>
        <translation>删除此配置及其密钥</translation>
    </message>
    <message>
        <source>Presets:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save this profile and make it active</source>
        <translation>保存此配置并设为当前配置</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close settings</source>
        <translation>关闭设置</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language of the window; applies the next time Qwen Studio starts</source>
        <translation>界面语言；下次启动 Qwen Studio 时生效</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Light or dark; System follows the desktop</source>
        <translation>浅色或深色；“跟随系统”与桌面设置一致</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>A new language applies the next time Qwen Studio starts.</source>
        <translation>新语言将在下次启动 Qwen Studio 时生效。</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Environment overrides are active: {names} take precedence over the saved profile.</source>
        <translation>环境变量覆盖已生效：{names} 优先于已保存的配置。</translation>
    </message>
    <message>
        <source>default ({model})</source>
        <translation>默认（{model}）</translation>
    </message>
    <message>
        <source>New profile…</source>
        <translation>新建配置…</translation>
    </message>
    <message>
        <source>A key is saved — leave empty to keep it, or type a new one</source>
        <translation>已保存密钥——留空则保留，或输入新的密钥</translation>
    </message>
    <message>
        <source>No key saved yet — paste your API key</source>
        <translation>尚未保存密钥——请粘贴你的 API 密钥</translation>
    </message>
    <message>
        <source>Preset filled in: paste the API key for this region, then Test connection and Save.</source>
        <translation>预设已填入：请粘贴该地域的 API 密钥，然后测试连接并保存。</translation>
    </message>
    <message>
        <source>Give the profile a name.</source>
        <translation>请为配置命名。</translation>
    </message>
    <message>
        <source>The base URL must start with http:// or https://.</source>
        <translation>服务地址必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: could not write the settings ({error})</source>
        <translation>未保存：无法写入设置（{error}）</translation>
    </message>
    <message>
        <source>Saved “{name}” and made it active.</source>
        <translation>已保存“{name}”并设为当前配置。</translation>
    </message>
    <message>
        <source>Deleted “{name}”.</source>
        <translation>已删除“{name}”。</translation>
    </message>
    <message>
        <source>Testing is not available here.</source>
        <translation>此处无法测试。</translation>
    </message>
    <message>
        <source>Failed: the base URL must start with http:// or https://</source>
        <translation>失败：服务地址必须以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>there is no API key to test</source>
        <translation>没有可供测试的 API 密钥</translation>
    </message>
    <message>
        <source>Paste the key first.</source>
        <translation>请先粘贴密钥。</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Hold to see the before image</source>
        <translation>按住查看编辑前的图片</translation>
    </message>
    <message>
        <source>Previous / next result of the edit</source>
        <translation>本次编辑的上一个 / 下一个结果</translation>
    </message>
    <message>
        <source>Hide or show the side panels (outside text fields)</source>
        <translation>隐藏或显示侧边面板（在文本框之外）</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Every keyboard shortcut in Qwen Studio</source>
        <translation>Qwen Studio 的全部键盘快捷键</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Keys and what they do, one per row</source>
        <translation>按键及其作用，每行一项</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close this list</source>
        <translation>关闭此列表</translation>
    </message>
    <message>
        <source>Prompt library: insert the snippet at the cursor</source>
        <translation>提示词库：在光标处插入片段</translation>
    </message>
    <message>
        <source>Prompt library: replace the whole field with it</source>
        <translation>提示词库：用它替换整个输入框</translation>
    </message>
</context>
<context>
    <name>StatusLook</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
</context>
<context>
    <name>RequestNotes</name>
    <message>
        <source>{model} is not in Qwen Studio&apos;s model catalog: its limits are not checked here, the service will judge the request</source>
        <translation>{model} 不在 Qwen Studio 的模型目录中：这里不检查它的限制，由服务端判断请求</translation>
    </message>
    <message>
        <source>{model} does not take {options}; the service may ignore it</source>
        <translation>{model} 不接受 {options}；服务端可能会忽略</translation>
    </message>
    <message>
        <source>the {style} request style loses {options} on {gateway} relays; the {better} style keeps them</source>
        <translation>{style} 请求格式经过 {gateway} 中转时会丢失 {options}；{better} 格式会保留它们</translation>
    </message>
</context>
<context>
    <name>StatusNotes</name>
    <message>
        <source>Connected to {host}; the key was accepted</source>
        <translation>已连接到 {host}，密钥有效</translation>
    </message>
    <message>
        <source>Connected to {host}; the key was accepted (rate limited right now)</source>
        <translation>已连接到 {host}，密钥有效（当前请求过多，正在限流）</translation>
    </message>
    <message>
        <source>Keys are stored in the system keyring.</source>
        <translation>密钥保存在系统钥匙串中。</translation>
    </message>
    <message>
        <source>No system keyring was found: keys are stored in {path} (readable only by you).</source>
        <translation>未找到系统钥匙串：密钥保存在 {path}（仅您本人可读）。</translation>
    </message>
    <message>
        <source>already in the output folder</source>
        <translation>已在输出文件夹中</translation>
    </message>
    <message>
        <source>already done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>the same edit as another input of this run</source>
        <translation>与本次运行的另一个输入是同一个编辑</translation>
    </message>
    <message>
        <source>another qwen-studio run is editing it (process {pid})</source>
        <translation>另一个 qwen-studio 运行正在编辑它（进程 {pid}）</translation>
    </message>
    <message>
        <source>saved from the result kept when the output folder could not take it</source>
        <translation>已从输出文件夹无法写入时保留的结果保存</translation>
    </message>
    <message>
        <source>not sent: the output folder cannot take results</source>
        <translation>未发送：输出文件夹无法写入结果</translation>
    </message>
    <message>
        <source>over the budget: its {cost} would take the batch to {total}, over {budget}</source>
        <translation>超出预算：它的 {cost} 会使本批次花费达到 {total}，超过预算 {budget}</translation>
    </message>
    <message>
        <source>over the budget: no price per image is known for {model}, so its cost cannot be kept under {budget}</source>
        <translation>超出预算：不知道 {model} 每张图片的价格，无法保证花费不超过 {budget}</translation>
    </message>
    <message>
        <source>Paid result not downloaded: {why} — Retry downloads it again without a new charge</source>
        <translation>已付费的结果未能下载：{why} —— 点“重试”会重新下载，不再收费</translation>
    </message>
    <message>
        <source>Paid result lost: {why} — Retry sends the edit again, at a new charge</source>
        <translation>已付费的结果丢失：{why} —— 点“重试”会重新发送编辑，并再次收费</translation>
    </message>
    <message>
        <source>Could not keep a copy of {file}: {why}</source>
        <translation>无法保存 {file} 的副本：{why}</translation>
    </message>
    <message>
        <source>its link has expired (billed over 24 hours ago)</source>
        <translation>它的链接已失效（计费已超过 24 小时）</translation>
    </message>
    <message>
        <source>Paid result not downloaded: {why}</source>
        <translation>已付费的结果未能下载：{why}</translation>
    </message>
    <message>
        <source>It was paid for and its link is kept: Retry downloads it; nothing is sent or charged again.</source>
        <translation>该结果已付费，链接已保留：点“重试”会重新下载，不会再次发送或收费。</translation>
    </message>
    <message>
        <source>Paid result lost: {why}</source>
        <translation>已付费的结果丢失：{why}</translation>
    </message>
    <message>
        <source>Retry sends the edit again; that is charged again.</source>
        <translation>点“重试”会重新发送编辑，并再次收费。</translation>
    </message>
</context>
<context>
    <name>VersionGraph</name>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Each edit made from a result, as a graph. Click a version to show it; Ctrl+click a second one to compare the two. Arrow keys move, Enter shows, Space marks.</source>
        <translation>由结果继续的每次编辑，以图的形式显示。单击版本即可查看；按住 Ctrl 再单击另一个即可对比两者。方向键移动，回车显示，空格标记。</translation>
    </message>
    <message>
        <source>{n} versions</source>
        <translation>{n} 个版本</translation>
    </message>
    <message>
        <source>showing #{id}: {status}, “{prompt}”</source>
        <translation>正在显示 #{id}：{status}，“{prompt}”</translation>
    </message>
    <message>
        <source>marked for comparing: {ids}</source>
        <translation>已标记对比：{ids}</translation>
    </message>
    <message>
        <source>{word} · compare</source>
        <translation>{word} · 对比</translation>
    </message>
</context>
<context>
    <name>VersionsDock</name>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Select an edit in the history to see its versions. Ctrl+click two versions to compare them.</source>
        <translation>在历史中选择一次编辑即可查看其版本。按住 Ctrl 单击两个版本即可对比。</translation>
    </message>
    <message>
        <source>The version graph</source>
        <translation>版本图</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>Connect Qwen Studio to the service, or try the demo</source>
        <translation>将 Qwen Studio 连接到服务，或试用演示</translation>
    </message>
    <message>
        <source>Welcome to Qwen Studio</source>
        <translation>欢迎使用 Qwen Studio</translation>
    </message>
    <message>
        <source>Edit photos by describing the change. To start, connect your Alibaba Cloud Model Studio (DashScope) API key — or try the demo, which runs a local stand-in service on this computer and needs no key.</source>
        <translation>用文字描述修改来编辑照片。开始之前，请连接你的阿里云百炼（DashScope）API 密钥；也可以先试用演示——它会在本机运行一个模拟服务，无需密钥。</translation>
    </message>
    <message>
        <source>Set up your API</source>
        <translation>设置 API</translation>
    </message>
    <message>
        <source>Open Settings to add an endpoint and API key</source>
        <translation>打开设置，添加服务地址和 API 密钥</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>试用演示</translation>
    </message>
    <message>
        <source>Start a local sandbox service and use it instead of the real API</source>
        <translation>启动本地沙盒服务，代替真实 API 使用</translation>
    </message>
    <message>
        <source>Not connected yet: set up your API key to run edits — or try the demo, which needs no key.</source>
        <translation>尚未连接：设置 API 密钥后即可运行编辑，也可以试用演示（无需密钥）。</translation>
    </message>
</context>
<context>
    <name>_Counter</name>
    <message>
        <source>Prompt length</source>
        <translation>提示词长度</translation>
    </message>
    <message>
        <source>Negative prompt length</source>
        <translation>反向提示词长度</translation>
    </message>
    <message>
        <source>Too long: {n} / {limit} — remove {extra}</source>
        <translation>过长：{n} / {limit} — 请删掉 {extra} 个字符</translation>
    </message>
</context>
<context>
    <name>_Thumb</name>
    <message>
        <source>Input {i}: {name}</source>
        <translation>输入 {i}：{name}</translation>
    </message>
    <message>
        <source>Input image thumbnail</source>
        <translation>输入图片缩略图</translation>
    </message>
    <message>
        <source>Remove {name}</source>
        <translation>移除 {name}</translation>
    </message>
    <message>
        <source>Remove input {i}</source>
        <translation>移除输入 {i}</translation>
    </message>
    <message>
        <source>Remove {name} from the inputs</source>
        <translation>从输入中移除 {name}</translation>
    </message>
</context>
<context>
    <name>PromptEntriesModel</name>
    <message>
        <source>Starred snippet</source>
        <translation>星标片段</translation>
    </message>
    <message>
        <source>Snippet</source>
        <translation>片段</translation>
    </message>
    <message>
        <source>Recent prompt</source>
        <translation>最近的提示词</translation>
    </message>
</context>
<context>
    <name>PromptLibraryPopup</name>
    <message>
        <source>Type words of a snippet or recent prompt; arrow keys choose, Enter inserts</source>
        <translation>输入片段或最近提示词中的词；方向键选择，Enter 插入</translation>
    </message>
    <message>
        <source>Starred snippets first, then your snippets, then prompts you ran, newest first</source>
        <translation>先列出星标片段，再是你的片段，然后是你运行过的提示词（最新的在前）</translation>
    </message>
    <message>
        <source>Prompt library</source>
        <translation>提示词库</translation>
    </message>
    <message>
        <source>Type to filter snippets and recent prompts</source>
        <translation>输入以筛选片段和最近的提示词</translation>
    </message>
    <message>
        <source>Filter the prompt library</source>
        <translation>筛选提示词库</translation>
    </message>
    <message>
        <source>Snippets and recent prompts</source>
        <translation>片段和最近的提示词</translation>
    </message>
    <message>
        <source>Nothing matches. Save the current prompt as a snippet to find it here next time.</source>
        <translation>没有匹配项。把当前提示词保存为片段，下次就能在这里找到。</translation>
    </message>
    <message>
        <source>Enter inserts at the cursor · Shift+Enter replaces · Esc closes</source>
        <translation>Enter 在光标处插入 · Shift+Enter 替换 · Esc 关闭</translation>
    </message>
    <message>
        <source>Save current as snippet</source>
        <translation>将当前内容存为片段</translation>
    </message>
    <message>
        <source>Keep the text of this field in the prompt library</source>
        <translation>把此输入框的文字保存到提示词库</translation>
    </message>
    <message>
        <source>Insert at cursor</source>
        <translation>在光标处插入</translation>
    </message>
    <message>
        <source>Replace the field</source>
        <translation>替换整个输入框</translation>
    </message>
    <message>
        <source>Unstar</source>
        <translation>取消星标</translation>
    </message>
    <message>
        <source>Star</source>
        <translation>加星标</translation>
    </message>
    <message>
        <source>Delete snippet</source>
        <translation>删除片段</translation>
    </message>
    <message>
        <source>Save as snippet</source>
        <translation>存为片段</translation>
    </message>
    <message>
        <source>Prompt library…</source>
        <translation>提示词库…</translation>
    </message>
    <message>
        <source>Snippets and recent prompts (Ctrl+Space)</source>
        <translation>片段和最近的提示词（Ctrl+Space）</translation>
    </message>
</context>
<context>
    <name>SpendMeter</name>
    <message>
        <source>Estimated spend</source>
        <translation>估算花费</translation>
    </message>
    <message>
        <source>1 unpriced image</source>
        <translation>1 张未定价图片</translation>
    </message>
    <message>
        <source>{n} unpriced images</source>
        <translation>{n} 张未定价图片</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>1 张图片</translation>
    </message>
    <message>
        <source>{n} images</source>
        <translation>{n} 张图片</translation>
    </message>
    <message>
        <source>Today {today} · This month {month}</source>
        <translation>今天 {today} · 本月 {month}</translation>
    </message>
    <message>
        <source> · Batch {batch}</source>
        <translation> · 本批次 {batch}</translation>
    </message>
    <message>
        <source> of {budget}</source>
        <translation> / 预算 {budget}</translation>
    </message>
    <message>
        <source> — budget reached</source>
        <translation> — 已达预算</translation>
    </message>
    <message>
        <source>Today: {images}, {amount}</source>
        <translation>今天：{images}，{amount}</translation>
    </message>
    <message>
        <source>This month: {images}, {amount}</source>
        <translation>本月：{images}，{amount}</translation>
    </message>
    <message>
        <source>This batch: {images}, {amount}</source>
        <translation>本批次：{images}，{amount}</translation>
    </message>
    <message>
        <source>Estimates: images returned × price per image (Settings can override a model's price). Failed edits cost nothing; the service's bill is the authority.</source>
        <translation>估算方法：返回的图片数 × 每张图片的价格（可在设置中覆盖某个模型的价格）。失败的编辑不收费；以服务商的账单为准。</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>Picked · </source>
        <translation>已选 · </translation>
    </message>
    <message>
        <source>Rejected · </source>
        <translation>已排除 · </translation>
    </message>
    <message>
        <source>not marked</source>
        <translation>未标记</translation>
    </message>
</context>
<context>
    <name>RegionTools</name>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Feather</source>
        <translation>羽化</translation>
    </message>
    <message>
        <source>The soft edge grown outside the region, in image pixels: beyond it every pixel stays the original's</source>
        <translation>在区域外扩展的柔和边缘（图像像素）：超出此范围的每个像素都保持原样</translation>
    </message>
</context>
<context>
    <name>MaskToolBar</name>
    <message>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <source>Mask tools</source>
        <translation>蒙版工具</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Paint the region to change</source>
        <translation>涂出要修改的区域</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Remove from the region</source>
        <translation>从区域中擦除</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <source>Drag a rectangle to add</source>
        <translation>拖出一个矩形加入区域</translation>
    </message>
    <message>
        <source>Lasso</source>
        <translation>套索</translation>
    </message>
    <message>
        <source>Draw around an area to add</source>
        <translation>圈出一块区域加入</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <source>The brush&apos;s diameter in image pixels ([ smaller, ] bigger)</source>
        <translation>画笔直径，以图片像素计（[ 变小，] 变大）</translation>
    </message>
    <message>
        <source>Brush hardness</source>
        <translation>画笔硬度</translation>
    </message>
    <message>
        <source>0 paints a soft edge, 100 a hard one</source>
        <translation>0 为柔和边缘，100 为硬边缘</translation>
    </message>
    <message>
        <source>Smaller brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <source>Bigger brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <source>Invert</source>
        <translation>反选</translation>
    </message>
    <message>
        <source>Swap the region and the rest</source>
        <translation>区域与其余部分互换</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Remove the whole region</source>
        <translation>清除整个区域</translation>
    </message>
    <message>
        <source>Show mask</source>
        <translation>显示蒙版</translation>
    </message>
    <message>
        <source>Show or hide the mask overlay</source>
        <translation>显示或隐藏蒙版叠加层</translation>
    </message>
    <message>
        <source>Undo stroke</source>
        <translation>撤销笔画</translation>
    </message>
    <message>
        <source>Undo the last mask operation</source>
        <translation>撤销上一次蒙版操作</translation>
    </message>
    <message>
        <source>Redo stroke</source>
        <translation>重做笔画</translation>
    </message>
    <message>
        <source>Redo the mask operation</source>
        <translation>重做蒙版操作</translation>
    </message>
    <message>
        <source>{0} px</source>
        <translation>{0} 像素</translation>
    </message>
    <message>
        <source>Hardness</source>
        <translation>硬度</translation>
    </message>
</context>
<context>
    <name>MaskView</name>
    <message>
        <source>Image with mask</source>
        <translation>带蒙版的图片</translation>
    </message>
</context>
<context>
    <name>BudgetField</name>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>Send the photos the budget skipped, under the budget typed beside it (what the batch has cost so far counts)</source>
        <translation>按旁边填写的预算发送因预算被跳过的照片（该批次已产生的花费计入其中）</translation>
    </message>
    <message>
        <source>The most this batch may cost, in {currency} (the chosen model&apos;s price per image). No photo is sent whose images would go over it; those are “skipped (over budget)”. Empty: no limit.</source>
        <translation>该批次最多可花费的金额，以 {currency} 计（所选模型的单张价格）。会超出预算的照片不会发送，而是标记为“因超出预算跳过”。留空：不设上限。</translation>
    </message>
    <message>
        <source>Run skipped ({n})</source>
        <translation>运行已跳过（{n}）</translation>
    </message>
</context>
<context>
    <name>PriceSettings</name>
    <message>
        <source>Prices per image</source>
        <translation>单张价格</translation>
    </message>
    <message>
        <source>Estimates and batch budgets use your price where you set one, else the catalog&apos;s. Leave a field empty to use the catalog&apos;s; type 0.2 CNY for another currency.</source>
        <translation>花费估算和批次预算优先使用你设置的价格，否则使用模型目录中的价格。留空即使用目录价格；输入 0.2 CNY 可使用其他货币。</translation>
    </message>
    <message>
        <source>One row per model: the catalog&apos;s price per image and yours</source>
        <translation>每个模型一行：目录中的单张价格和你的价格</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>目录价格</translation>
    </message>
    <message>
        <source>Your price</source>
        <translation>你的价格</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>来源：{source}</translation>
    </message>
    <message>
        <source>Your price for {model}</source>
        <translation>{model} 的自定义价格</translation>
    </message>
    <message>
        <source>Price per image, e.g. 0.05 or 0.2 CNY; empty uses the catalog&apos;s price</source>
        <translation>单张价格，例如 0.05 或 0.2 CNY；留空则使用目录价格</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Not saved: “{text}” is not a price such as 0.05, 0.2 CNY or $0.035.</source>
        <translation>未保存：“{text}”不是有效价格（例如 0.05、0.2 CNY 或 $0.035）。</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
    <message>
        <source>{model} uses the catalog&apos;s price again.</source>
        <translation>{model} 已恢复使用目录价格。</translation>
    </message>
    <message>
        <source>{model}: estimates use {price} per image.</source>
        <translation>{model}：估算按每张 {price} 计算。</translation>
    </message>
    <message>
        <source>as catalog</source>
        <translation>同目录</translation>
    </message>
</context>
<context>
    <name>Punctuation</name>
    <message>
        <source>{head}: {tail}</source>
        <translation>{head}：{tail}</translation>
    </message>
</context>
</TS>
